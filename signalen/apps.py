from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal import personal_data, role_hooks


class SignalenConfig(AppConfig):
    name = "signalen"
    verbose_name = _("Signalen")

    def ready(self) -> None:
        # "Mijn gegevens" and an approved erasure reach this app's records through the
        # kernel's registry.
        from . import personal_data as own_data

        personal_data.register(own_data.SECTION)
        # Imported here, not at the top: services read models, which load after the app configs.
        from . import retention
        from .services import signals_release_from_former_contact

        # A contact person who loses the role hands their open signals back to the queue.
        role_hooks.on_role_revoked(signals_release_from_former_contact)
        # Closed signals are anonymised after their retention period.
        retention.register_rules()
