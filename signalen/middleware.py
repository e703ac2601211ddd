"""Signal pages and downloads are never stored by a browser or a shared cache."""

from django.urls import Resolver404, resolve
from django.utils.cache import add_never_cache_headers

NAMESPACE = "signalen"


def _namespace(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        # Answered before the URL was resolved (a login or MFA redirect): resolve it here.
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return ""
    return match.namespace


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every answer under the signalen URLs.

    A middleware rather than a view decorator, so a 403 or 404 raised inside a view
    and a redirect answered by another middleware carry it too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _namespace(request) == NAMESPACE:
            add_never_cache_headers(response)
        return response
