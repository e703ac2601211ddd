from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portaal")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import (
            receivers,  # noqa: F401  (connects the login recorders)
            role_reminders,  # noqa: F401  (the kernel's own mail kinds)
        )

        # Each app registers its reminder renderers in its own `reminders` module.
        autodiscover_modules("reminders")
