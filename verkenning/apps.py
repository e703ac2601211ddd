from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from portal import links, network, personal_data


class VerkenningConfig(AppConfig):
    name = "verkenning"
    verbose_name = _("Verkenning")

    def ready(self) -> None:
        # "Mijn gegevens" and an approved erasure reach this app's records through the
        # kernel's registry.
        from . import personal_data as own_data

        personal_data.register(own_data.SECTION)
        # Imported here, not at the top: they read models, which load after the app configs.
        from . import acquaintances, retention
        from .links import (
            TRAINING_ORIGIN_JOIN,
            WERKPLAATS_ORIGIN_JOIN,
            training_origin,
            werkplaats_origin,
        )

        # A werkplaats page names the verkenning it came from, without werkplaats importing us.
        links.register(
            "werkplaats.Werkplaats", werkplaats_origin, select_related=[WERKPLAATS_ORIGIN_JOIN]
        )
        links.register("trainings.Training", training_origin, select_related=[TRAINING_ORIGIN_JOIN])
        # The netwerk learns who explored together, without the kernel importing verkenning.
        network.register_met(acquaintances.PEOPLE_MET_SQL, acquaintances.parameters)
        network.register_programmes(
            acquaintances.PROGRAMMES_SQL, acquaintances.parameters, acquaintances.TAKING_PART
        )
        # Interview notes go after their retention period.
        retention.register_rules()
