"""The ``named_date`` filter: a date in one of the portal's named formats (see portal.formats).

Django's own ``date`` filter knows only Django's format names and prints any other name
literally, so the portal's own names go through this filter.
"""

from django import template
from django.template.defaultfilters import date as date_filter

from portal.formats import named_format

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def named_date(value, name: str) -> str:
    """``value`` as the current language writes the format called ``name``."""
    return date_filter(value, named_format(name))
