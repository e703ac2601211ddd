"""Data that people type in Dutch and may give an English name: pick the one for the language."""

from django.utils import translation

# The language the data is written in; other languages look for a ``<field>_<code>`` twin.
SOURCE_LANGUAGE = "nl"


def localized(obj, field: str) -> str:
    """``obj.<field>_<language>`` in the active language when filled in, else ``obj.<field>``."""
    language = (translation.get_language() or SOURCE_LANGUAGE).split("-")[0]
    if language != SOURCE_LANGUAGE:
        value = getattr(obj, f"{field}_{language}", "")
        if value:
            return value
    return getattr(obj, field)
