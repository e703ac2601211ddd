from django.core.management.base import BaseCommand, CommandError

from signalen import services
from signalen.tally import tally_differences


class Command(BaseCommand):
    help = (
        "Check the signalen dashboard's counters against a fresh count of the signals; "
        "--repair counts them afresh (after a bulk import or a restore)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--repair", action="store_true", help="Count the counters afresh from the signals."
        )

    def handle(self, *args, repair: bool = False, **options):
        differences = services.signal_tally_repair() if repair else tally_differences()
        for difference in differences[:50]:
            self.stdout.write(
                f"organisatie, categorie, status, maand {difference.key}: geteld "
                f"{difference.counted}, bijgehouden {difference.kept}"
            )
        if not differences:
            self.stdout.write(self.style.SUCCESS("De tellingen kloppen."))
        elif repair:
            self.stdout.write(self.style.SUCCESS(f"{len(differences)} tellingen hersteld."))
        else:
            raise CommandError(f"{len(differences)} tellingen wijken af; herstel ze met --repair.")
