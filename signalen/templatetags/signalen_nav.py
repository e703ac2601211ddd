"""The "Signalen" menu item's badge: how many signals wait for the user's meldpunt."""

from django import template

from signalen import selectors

register = template.Library()

_CACHE_ATTR = "_signal_attention_count"


def remember_attention_count(request, count: int) -> None:
    """For a view that read ``attention_count`` with its own figures (the queue): the menu
    shows that count instead of asking again."""
    setattr(request, _CACHE_ATTR, count)


@register.simple_tag(takes_context=True)
def signal_attention_count(context) -> int:
    """New and overdue signals of the user's meldpunt; read once per request."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return 0
    if not hasattr(request, _CACHE_ATTR):
        setattr(request, _CACHE_ATTR, selectors.attention_count(user=user))
    return getattr(request, _CACHE_ATTR)


@register.filter
def at_most(count: int) -> str:
    """A count from ``attention_count`` as shown: "100+" once it passed the limit."""
    if count > selectors.COUNT_LIMIT:
        return f"{selectors.COUNT_LIMIT}+"
    return str(count)
