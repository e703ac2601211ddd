"""The benchmark's own mail kind: a short mail per row, like most reminders."""

from portal.models import Organisation
from portal.reminders import ReminderMessage, register

BENCH_MAIL = "bench.mail"


@register(BENCH_MAIL)
def render_bench_mail(reminder) -> ReminderMessage | None:
    """Reads its target like a real renderer does."""
    organisation = Organisation.objects.only("name").get(pk=reminder.target_id)
    return ReminderMessage(
        subject=f"Bericht voor {organisation.name}",
        body=f"Hallo {reminder.recipient_email},\n\nDit is bericht {reminder.pk}.\n",
    )
