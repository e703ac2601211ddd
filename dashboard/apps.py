from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The home page: the one place that composes what several apps have for a person."""

    name = "dashboard"
    verbose_name = _("Startpagina")
