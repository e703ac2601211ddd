"""Sent reminders whose body held a secret link keep only their subject from now on.

The kinds registered with ``keep_body=False`` at the time of this migration; their
bodies already stored are replaced by the note the registry now stores instead
(``portal.reminders.BODY_NOT_KEPT``, in the portal's language, Dutch).
"""

from django.db import migrations

KINDS_WITH_SECRET_LINKS = [
    "portal.invitation",
    "trainings.promoted",
    "werkplaats.rugdekking_asked",
    "werkplaats.rugdekking_manager_reminder",
]
NOTE = (
    "Deze e-mail bevatte een persoonlijke link. Om die te beschermen bewaart het portaal de "
    "tekst niet; je vindt het bericht in je mailbox."
)


def forget_bodies(apps, schema_editor):
    PlannedReminder = apps.get_model("portal", "PlannedReminder")
    PlannedReminder.objects.filter(kind__in=KINDS_WITH_SECRET_LINKS).exclude(body="").update(
        body=NOTE
    )


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_programme_in_portal"),
    ]

    operations = [
        migrations.RunPython(forget_bodies, migrations.RunPython.noop),
    ]
