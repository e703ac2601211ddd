from django.core.management.base import BaseCommand, CommandError

from signalen.audit import audit_chain_verify


class Command(BaseCommand):
    help = "Recompute the signalen audit chain and report the first broken link, if any."

    def handle(self, *args, **options):
        report = audit_chain_verify()
        if not report.ok:
            raise CommandError(
                f"Auditketen gebroken bij regel {report.broken_seq}: {report.reason} "
                f"({report.checked} regels daarvoor zijn in orde)."
            )
        self.stdout.write(self.style.SUCCESS(f"Auditketen in orde: {report.checked} regels."))
