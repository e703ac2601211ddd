from django.urls import path

from . import views

# No app_name: "home" is the portal's front door and every template links to it by that name.
urlpatterns = [
    path("", views.home, name="home"),
    path("bewustwording/trechter/", views.awareness_funnel, name="awareness_funnel"),
]
