from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from signalen.audit import Anchor, AnchorFileError, audit_chain_verify, read_anchors


def _mailed_anchor(value: str) -> Anchor:
    seq, _sep, digest = value.partition(":")
    if not seq.isdigit() or len(digest) != 64:
        raise CommandError(f"--anchor verwacht VOLGNUMMER:HASH, niet {value!r}.")
    return Anchor(at="de e-mail", seq=int(seq), hash=digest.lower())


class Command(BaseCommand):
    help = (
        "Recompute the signalen audit chain and hold it against the anchors kept outside the "
        "database; report the first broken link, a shortened or emptied log, or a rehashed one."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--anchor-file",
            type=Path,
            default=None,
            help=f"Anchor file to check against (default AUDIT_ANCHOR_FILE, "
            f"{settings.AUDIT_ANCHOR_FILE}).",
        )
        parser.add_argument(
            "--anchor",
            action="append",
            default=[],
            metavar="SEQ:HASH",
            help="An anchor from the auditor's mail; may be given more than once.",
        )

    def handle(self, *args, anchor_file: Path | None = None, anchor: list[str], **options):
        path = anchor_file or Path(settings.AUDIT_ANCHOR_FILE)
        try:
            anchors = read_anchors(path)
        except AnchorFileError as error:
            raise CommandError(f"Ankerbestand niet te vertrouwen: {error}.") from None
        anchors += [_mailed_anchor(value) for value in anchor]
        report = audit_chain_verify(anchors=anchors)
        if not report.ok:
            raise CommandError(
                f"Auditketen gebroken bij regel {report.broken_seq}: {report.reason} "
                f"({report.checked} regels daarvoor zijn in orde)."
            )
        if not anchors:
            self.stderr.write(
                self.style.WARNING(
                    f"Geen anker gevonden ({path}): of er regels aan het eind zijn verwijderd, "
                    "is zonder anker niet vast te stellen. Draai manage.py audit_anchor."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Auditketen in orde: {report.checked} regels, getoetst aan {len(anchors)} ankers."
            )
        )
