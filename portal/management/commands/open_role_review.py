from django.core.management.base import BaseCommand

from portal import selectors, services


class Command(BaseCommand):
    help = (
        "Open the role review (BIO 5.18) now and mail the beheerders; "
        "while one is open, nothing new is opened."
    )

    def handle(self, *args, **options):
        current = selectors.role_review_current()
        if current is not None:
            self.stdout.write(
                f"A role review is open already (since {current.opened_at:%Y-%m-%d %H:%M}); "
                "nothing new was opened."
            )
            return
        review = services.role_review_open()
        self.stdout.write(
            self.style.SUCCESS(
                f"Role review opened with {review.lines.count()} role(s) to review under "
                "Beheer → Rolreview; the beheerders are mailed."
            )
        )
