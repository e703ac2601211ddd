from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VerkenningConfig(AppConfig):
    name = "verkenning"
    verbose_name = _("Verkenning")
