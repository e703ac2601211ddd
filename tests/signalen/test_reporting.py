"""Reporting a signal: the form, attachments checked by content, and nothing lost or half-stored."""

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError
from django.urls import reverse
from PIL import Image

from signalen import audit, services
from signalen.attachments import prepare_attachment
from signalen.models import AuditEntry, Signal, SignalAttachment
from signalen.states import Status
from tests.portal.factories import UserFactory
from tests.signalen.factories import (
    CategoryFactory,
    jpeg_with_gps,
    meldpunt,
    minimal_pdf,
    png_bytes,
    report,
)

pytestmark = pytest.mark.django_db


def _form_data(organisation, category_, **overrides):
    category = category_
    data = {
        "description": "Kapperszaak zonder klanten, wel elke dag dure auto's voor de deur.",
        "location": "Stationsweg 12",
        "observed_on": "2026-01-15",
        "category": category.pk,
        "involved": "Kapsalon De Schaar",
        "organisation": organisation.pk,
    }
    data.update(overrides)
    return data


def _stored_files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_participant_reports_a_signal_and_gets_a_reference(client):
    organisation, _people = meldpunt()
    reporter = UserFactory(organisation=organisation)
    client.force_login(reporter)
    category = CategoryFactory()

    response = client.post(reverse("signalen:report"), _form_data(organisation, category))

    signal = Signal.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("signalen:my_detail", args=[signal.pk])
    assert signal.reference.startswith("HKIN-") and len(signal.reference) == 14
    assert (signal.status, signal.reporter, signal.organisation) == (
        Status.NEW,
        reporter,
        organisation,
    )
    assert signal.accesses.get().organisation == organisation
    page = client.get(response.url)
    assert signal.reference in page.content.decode()


def test_the_form_defaults_to_the_reporters_own_meldpunt(client):
    organisation, _people = meldpunt()
    meldpunt()
    client.force_login(UserFactory(organisation=organisation))
    response = client.get(reverse("signalen:report"))
    assert response.context["form"]["organisation"].value() == organisation.pk


def test_only_organisations_with_a_meldpunt_can_be_chosen(client):
    organisation, _people = meldpunt()
    without = UserFactory().organisation  # an organisation without contact persons
    client.force_login(UserFactory(organisation=organisation))
    response = client.post(reverse("signalen:report"), _form_data(without, CategoryFactory()))
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Signal.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"description": ""}, "description"),
        ({"description": "   "}, "description"),
        ({"description": "x" * 5001}, "description"),
        ({"involved": "x" * 2001}, "involved"),
        ({"location": "x" * 201}, "location"),
        ({"observed_on": "2999-01-01"}, "observed_on"),
        ({"observed_on": "gisteren"}, "observed_on"),
        ({"category": ""}, "category"),
        ({"category": "999999"}, "category"),
    ],
)
def test_bad_input_is_refused_with_a_dutch_message_and_keeps_what_was_typed(
    client, overrides, field
):
    organisation, _people = meldpunt()
    client.force_login(UserFactory(organisation=organisation))
    data = _form_data(organisation, CategoryFactory(), **overrides)

    response = client.post(reverse("signalen:report"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert field in form.errors
    assert form["location"].value() == data["location"]
    assert not Signal.objects.exists()
    assert not AuditEntry.objects.exists()


def test_inactive_category_is_not_offered_or_accepted(client):
    organisation, _people = meldpunt()
    client.force_login(UserFactory(organisation=organisation))
    retired = CategoryFactory(name="Oude categorie", is_active=False)
    response = client.post(reverse("signalen:report"), _form_data(organisation, retired))
    assert "category" in response.context["form"].errors


def test_photo_is_stored_reencoded_without_exif_or_gps(client, _private_attachment_root):
    organisation, _people = meldpunt()
    client.force_login(UserFactory(organisation=organisation))
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif()  # the test photo really carries EXIF

    response = client.post(
        reverse("signalen:report"),
        {
            **_form_data(organisation, CategoryFactory()),
            "attachments": [SimpleUploadedFile("../../etc/vakantie.jpg", original, "image/jpeg")],
        },
    )

    assert response.status_code == 302
    attachment = SignalAttachment.objects.get()
    assert attachment.original_name == "vakantie.jpg"
    assert attachment.content_type == "image/jpeg"
    with attachment.file.open("rb") as handle:
        stored = handle.read()
    assert stored != original
    image = Image.open(io.BytesIO(stored))
    assert image.format == "JPEG"
    assert not image.getexif()
    assert b"Spionagecamera" not in stored
    # Stored outside MEDIA_ROOT, under a random name.
    path = Path(attachment.file.path)
    assert path.is_relative_to(_private_attachment_root)
    assert "vakantie" not in path.name


def test_pdf_is_accepted_as_is():
    prepared = prepare_attachment(SimpleUploadedFile("rapport.pdf", minimal_pdf()))
    assert prepared.content_type == "application/pdf"
    assert prepared.data == minimal_pdf()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("foto.jpg", b"MZ\x90\x00" + b"\x00" * 200, "geen toegestaan bestand"),
        ("rapport.pdf", b"<html><script>alert(1)</script></html>", "geen toegestaan bestand"),
        ("notitie.png", b"gewoon tekst, geen plaatje", "geen toegestaan bestand"),
        ("leeg.pdf", b"", "leeg"),
        (
            "script.pdf",
            minimal_pdf(b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
            "scripts",
        ),
        ("kapot.png", png_bytes()[:40], "beschadigd"),
    ],
)
def test_wrong_file_type_is_judged_by_content_not_name(client, name, content, message):
    organisation, _people = meldpunt()
    client.force_login(UserFactory(organisation=organisation))

    response = client.post(
        reverse("signalen:report"),
        {
            **_form_data(organisation, CategoryFactory()),
            "attachments": [SimpleUploadedFile(name, content, "application/pdf")],
        },
    )

    assert response.status_code == 200
    errors = " ".join(response.context["form"].errors["attachments"])
    assert message in errors
    assert not Signal.objects.exists()
    assert response.context["files_dropped"] is True


def test_oversized_file_is_refused(client, settings, _private_attachment_root):
    settings.SIGNALEN_MAX_ATTACHMENT_BYTES = 1000
    organisation, _people = meldpunt()
    client.force_login(UserFactory(organisation=organisation))

    response = client.post(
        reverse("signalen:report"),
        {
            **_form_data(organisation, CategoryFactory()),
            "attachments": [SimpleUploadedFile("groot.pdf", minimal_pdf(b"x" * 2000))],
        },
    )

    assert "te groot" in " ".join(response.context["form"].errors["attachments"])
    assert not Signal.objects.exists()
    assert _stored_files(_private_attachment_root) == []


def test_too_many_files_are_refused(client, settings):
    settings.SIGNALEN_MAX_ATTACHMENTS = 2
    organisation, _people = meldpunt()
    client.force_login(UserFactory(organisation=organisation))
    files = [SimpleUploadedFile(f"f{i}.png", png_bytes()) for i in range(3)]
    response = client.post(
        reverse("signalen:report"),
        {**_form_data(organisation, CategoryFactory()), "attachments": files},
    )
    assert "maximaal 2" in " ".join(response.context["form"].errors["attachments"])


def test_one_bad_file_among_good_ones_stores_nothing(client, _private_attachment_root):
    organisation, _people = meldpunt()
    client.force_login(UserFactory(organisation=organisation))
    files = [
        SimpleUploadedFile("goed.png", png_bytes()),
        SimpleUploadedFile("slecht.png", b"geen plaatje"),
    ]
    response = client.post(
        reverse("signalen:report"),
        {**_form_data(organisation, CategoryFactory()), "attachments": files},
    )
    assert response.status_code == 200
    assert not Signal.objects.exists()
    assert _stored_files(_private_attachment_root) == []


def test_a_database_failure_keeps_the_typed_text_and_leaves_no_files(
    client, monkeypatch, _private_attachment_root
):
    organisation, _people = meldpunt()
    client.force_login(UserFactory(organisation=organisation))

    def failing_audit(**kwargs):
        raise DatabaseError("verbinding verbroken")

    # The failure comes after the signal row and its file were written.
    monkeypatch.setattr(audit, "audit_append", failing_audit)
    data = {
        **_form_data(organisation, CategoryFactory()),
        "attachments": [SimpleUploadedFile("foto.png", png_bytes())],
    }
    response = client.post(reverse("signalen:report"), data)

    assert response.status_code == 200
    form = response.context["form"]
    assert "storing" in " ".join(form.non_field_errors())
    assert form["description"].value() == data["description"]
    assert not Signal.objects.exists()
    assert not SignalAttachment.objects.exists()
    assert _stored_files(_private_attachment_root) == []


def test_reporter_sees_status_and_shared_feedback_but_not_internal_notes(client):
    organisation, (contact,) = meldpunt()
    reporter = UserFactory(organisation=organisation)
    signal = report(reporter=reporter, organisation=organisation)
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    services.signal_add_note(actor=contact, signal=signal, text="GEHEIM: broer van wethouder")
    services.signal_share_feedback(actor=contact, signal=signal, text="We kijken ernaar, dank je.")
    client.force_login(reporter)

    response = client.get(reverse("signalen:my_detail", args=[signal.pk]))

    html = response.content.decode()
    assert response.status_code == 200
    assert "In behandeling" in html
    assert "We kijken ernaar, dank je." in html
    assert "GEHEIM" not in html
    assert contact.full_name not in html
    assert AuditEntry.objects.filter(action=AuditEntry.Act.SIGNAL_VIEW_OWN).count() == 1


def test_reporter_answers_a_question_from_the_meldpunt(client):
    organisation, (contact,) = meldpunt()
    reporter = UserFactory(organisation=organisation)
    signal = report(reporter=reporter, organisation=organisation)
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    services.signal_ask_reporter(actor=contact, signal=signal, question="Welk huisnummer?")
    client.force_login(reporter)
    page = client.get(reverse("signalen:my_detail", args=[signal.pk]))
    assert "Welk huisnummer?" in page.content.decode()

    empty = client.post(reverse("signalen:my_reply", args=[signal.pk]), {"text": ""})
    assert empty.status_code == 400
    response = client.post(reverse("signalen:my_reply", args=[signal.pk]), {"text": "Nummer 3"})

    assert response.status_code == 302
    assert signal.events.filter(kind="reply", text="Nummer 3").exists()
    # The question is answered: a second reply is refused.
    again = client.post(reverse("signalen:my_reply", args=[signal.pk]), {"text": "Nog iets"})
    assert again.status_code == 400


def test_someone_else_cannot_open_or_answer_a_reporters_signal(client):
    organisation, _people = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(UserFactory(organisation=organisation))
    assert client.get(reverse("signalen:my_detail", args=[signal.pk])).status_code == 404
    assert (
        client.post(reverse("signalen:my_reply", args=[signal.pk]), {"text": "x"}).status_code
        == 404
    )


def test_own_list_shows_only_my_signals(client, django_assert_max_num_queries):
    organisation, _people = meldpunt()
    reporter = UserFactory(organisation=organisation)
    mine = [report(reporter=reporter, organisation=organisation) for _ in range(3)]
    theirs = report(organisation=organisation)
    client.force_login(reporter)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("signalen:my_list"))
    html = response.content.decode()
    assert all(signal.reference in html for signal in mine)
    assert theirs.reference not in html
