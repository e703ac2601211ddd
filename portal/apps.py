from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from . import retention


class PortalConfig(AppConfig):
    name = "portal"
    verbose_name = _("Portaal")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import (
            account_data,  # noqa: F401  (the kernel's section of "Mijn gegevens")
            deletion_mails,  # noqa: F401  (the mails about a request to erase one's data)
            digest,  # noqa: F401  (registers the daily digest mail)
            invitations,  # noqa: F401  (registers the invitation mail, the kernel's own kind)
            receivers,  # noqa: F401  (connects the login recorders)
            role_reminders,  # noqa: F401  (the role-change and role-review mails)
            selectors,
        )

        # The kernel's own retention rule; the apps register theirs in their ready().
        retention.register(
            retention.RetentionRule(
                kind="portal.login_events",
                label=_("Inlogpogingen (met IP-adres)"),
                setting="LOGIN_EVENT_RETENTION_DAYS",
                unit=retention.DAYS,
                anchor=_("na de inlogpoging"),
                effect=_("De inlogpogingen worden verwijderd."),
                due=lambda cutoff: selectors.login_events_due_for_deletion(cutoff=cutoff),
            )
        )

        retention.register(
            retention.RetentionRule(
                kind="portal.figures_snapshots",
                label=_("Opgeslagen tellingen voor dashboards (geen persoonsgegevens)"),
                setting="FIGURES_SNAPSHOT_RETENTION_DAYS",
                unit=retention.DAYS,
                anchor=_("na de laatste keer dat een pagina ze vroeg"),
                effect=_(
                    "De tellingen worden verwijderd; een pagina die ze weer vraagt, laat ze "
                    "opnieuw tellen."
                ),
                due=lambda cutoff: selectors.figures_snapshots_due_for_deletion(cutoff=cutoff),
            )
        )

        # Each app registers its reminder renderers in its own `reminders` module.
        autodiscover_modules("reminders")
        # Services queue tasks by name and never import them; importing every app's tasks
        # here registers them in each process, so a queued name also runs in-process when
        # Celery is eager (demo, tests), not only in a worker.
        autodiscover_modules("tasks")
