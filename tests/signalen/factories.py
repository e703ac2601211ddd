"""Signals made through the services, so every test object has its events and audit trail."""

import io

import factory
from PIL import Image

from portal.models import Organisation
from signalen import services
from signalen.attachments import PreparedAttachment
from signalen.models import Category, CloseReason, Signal
from signalen.states import Status
from tests.portal.factories import OrganisationFactory, UserFactory, contact_person


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("name",)

    name = "Vastgoed"
    position = 10


def meldpunt(name: str | None = None, *, kind=Organisation.Kind.GEMEENTE, people: int = 1):
    """An organisation with ``people`` contact persons; returns (organisation, [persons])."""
    organisation = OrganisationFactory(**({"name": name} if name else {}), kind=kind)
    persons = [contact_person(organisation=organisation) for _ in range(people)]
    return organisation, persons


def png_bytes(size=(8, 8), color=(200, 30, 30), exif: bytes | None = None) -> bytes:
    buffer = io.BytesIO()
    image = Image.new("RGB", size, color)
    kwargs = {"exif": exif} if exif else {}
    image.save(buffer, format="PNG", **kwargs)
    return buffer.getvalue()


def jpeg_with_gps() -> bytes:
    """A JPEG whose EXIF holds a camera make and a GPS position."""
    image = Image.new("RGB", (16, 12), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Spionagecamera"  # Make
    gps = {1: "N", 2: (52.0, 5.0, 30.0), 3: "E", 4: (4.0, 53.0, 10.0)}
    exif[0x8825] = gps  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes())
    return buffer.getvalue()


def pdf_from_objects(*objects: bytes, trailer: bytes = b"/Root 1 0 R") -> bytes:
    """A PDF with these objects (numbered from 1) and a correct cross-reference table."""
    out = bytearray(b"%PDF-1.5\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d " % (len(objects) + 1) + trailer + b" >>\n"
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def minimal_pdf(extra: bytes = b"") -> bytes:
    """A one-page PDF; ``extra`` goes into the catalog."""
    return pdf_from_objects(
        b"<< /Type /Catalog /Pages 2 0 R " + extra + b" >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 100 100] >>",
    )


def report(
    *,
    reporter=None,
    organisation=None,
    category=None,
    description: str = "Pand staat leeg maar er brandt elke nacht licht.",
    attachments: list[PreparedAttachment] = (),
    **kwargs,
) -> Signal:
    """A new signal reported through the service."""
    if organisation is None:
        organisation, _persons = meldpunt()
    if reporter is None:
        reporter = UserFactory(organisation=organisation)
    return services.signal_create(
        reporter=reporter,
        organisation=organisation,
        category=category or CategoryFactory(),
        description=description,
        location=kwargs.pop("location", "Dorpsstraat 1"),
        involved=kwargs.pop("involved", "Bedrijf X B.V."),
        attachments=list(attachments),
        **kwargs,
    )


def signal_in(status: str, *, actor, signal: Signal | None = None, forward_to=None) -> Signal:
    """A signal brought into ``status`` by the contact person ``actor`` through the services."""
    if signal is None:
        signal = report(organisation=actor.organisation)
    if status == Status.NEW:
        return signal
    if status == Status.IN_PROGRESS:
        return services.signal_assign(actor=actor, signal=signal, assignee=actor)
    if status == Status.FORWARDED:
        if forward_to is None:
            forward_to, _persons = meldpunt(kind=Organisation.Kind.RIEC)
        return services.signal_forward(actor=actor, signal=signal, organisation=forward_to)
    if status == Status.CLOSED:
        return services.signal_close(
            actor=actor,
            signal=signal,
            reason=CloseReason.NO_GROUNDS,
            explanation="Geen aanwijzingen voor ondermijning gevonden.",
        )
    raise ValueError(status)
