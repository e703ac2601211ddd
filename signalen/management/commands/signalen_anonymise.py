from django.conf import settings
from django.core.management.base import BaseCommand

from signalen import services


class Command(BaseCommand):
    help = "Anonymise closed signals past the retention period (SIGNALEN_RETENTION_MONTHS)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only list what would be anonymised."
        )
        parser.add_argument(
            "--months",
            type=int,
            default=None,
            help=f"Retention in months (default {settings.SIGNALEN_RETENTION_MONTHS}).",
        )

    def handle(self, *args, dry_run: bool = False, months: int | None = None, **options):
        references = services.signals_anonymise_expired(months=months, dry_run=dry_run)
        verb = "Zou anonimiseren" if dry_run else "Geanonimiseerd"
        for reference in references:
            self.stdout.write(f"  {reference}")
        self.stdout.write(self.style.SUCCESS(f"{verb}: {len(references)} signalen."))
