from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from portal import retention, services


def _moment(value: str) -> datetime:
    moment = parse_datetime(value) or parse_datetime(f"{value}T00:00:00")
    if moment is None:
        raise CommandError(f"--now: not a date or date-time: {value!r}")
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


class Command(BaseCommand):
    help = (
        "Destroy (delete or anonymise) what every retention rule finds past its period, and "
        "record the counts per kind in the destruction register. --dry-run only counts."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Only count what would be destroyed."
        )
        parser.add_argument(
            "--kind",
            action="append",
            dest="kinds",
            metavar="KIND",
            help="Only this kind (repeatable): " + ", ".join(r.kind for r in retention.rules()),
        )
        parser.add_argument(
            "--now", type=_moment, default=None, help="Run as if it were this moment (ISO 8601)."
        )

    def handle(self, *args, dry_run=False, kinds=None, now=None, **options):
        try:
            outcomes = services.retention_run(dry_run=dry_run, kinds=kinds, now=now)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        verb = "would destroy" if dry_run else "destroyed"
        for outcome in outcomes:
            self.stdout.write(
                f"{outcome.kind}: {outcome.count} ({outcome.action}, "
                f"{outcome.period} {outcome.unit}, cutoff {outcome.cutoff:%Y-%m-%d %H:%M})"
            )
        total = sum(outcome.count for outcome in outcomes)
        self.stdout.write(self.style.SUCCESS(f"{'Dry run: ' if dry_run else ''}{verb} {total}."))
