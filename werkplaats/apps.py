from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal import network, personal_data


class WerkplaatsConfig(AppConfig):
    name = "werkplaats"
    verbose_name = _("Werkplaats")

    def ready(self) -> None:
        # "Mijn gegevens" and an approved erasure reach this app's records through the
        # kernel's registry.
        from . import personal_data as own_data

        personal_data.register(own_data.SECTION)
        # Imported here, not at the top: it reads models, which load after the app configs.
        from . import acquaintances, retention

        # The netwerk and the signal form learn whom a person met in a werkplaats, and who
        # takes part in a programme, without importing werkplaats.
        network.register_met(acquaintances.PEOPLE_MET_SQL, acquaintances.people_met_parameters)
        network.register_programmes(
            acquaintances.PROGRAMMES_SQL,
            acquaintances.programmes_parameters,
            acquaintances.TAKING_PART,
        )
        # Practice logs go after their retention period.
        retention.register_rules()
