from django.conf import settings
from django.core.management.base import BaseCommand

from signalen.audit import audit_anchor


class Command(BaseCommand):
    help = (
        "Anchor the head of the signalen audit chain outside the database: append a line to "
        "AUDIT_ANCHOR_FILE and mail sequence and hash to AUDIT_ANCHOR_EMAIL."
    )

    def handle(self, *args, **options):
        anchor = audit_anchor()
        recipients = ", ".join(settings.AUDIT_ANCHOR_EMAIL) or "niemand (AUDIT_ANCHOR_EMAIL leeg)"
        self.stdout.write(
            self.style.SUCCESS(
                f"Anker vastgelegd: regel {anchor.seq}, hash {anchor.hash}, "
                f"in {settings.AUDIT_ANCHOR_FILE}; gemaild aan {recipients}."
            )
        )
