from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    """The yardstick: a view that does nothing, behind the same middleware as every page."""
    return HttpResponse("ok")


urlpatterns = [
    path("bench/trivial/", trivial, name="bench_trivial"),
    path("", include("portal.urls")),
]
