"""Reading a pasted list of e-mail addresses (pure: no Django)."""

import re

_SEPARATORS = re.compile(r"[\s,;]+")


def parse(text: str) -> list[str]:
    """The addresses in ``text``, lower-cased, each once, in the order first pasted.

    Separated by newlines, commas, semicolons or spaces. Nothing is dropped: whatever is
    not an address is returned too, so the caller can name it.
    """
    seen: dict[str, None] = {}
    for chunk in _SEPARATORS.split(text):
        if chunk:
            seen.setdefault(chunk.lower(), None)
    return list(seen)
