"""Who sees a signal: contact persons of organisations with access, nobody else."""

import pytest
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from portal.models import Organisation
from signalen import permissions, selectors, services
from signalen.models import AuditEntry, Signal, SignalAttachment, SignalEvent
from tests.portal.factories import (
    UserFactory,
    add_totp,
    coordinator,
    force_login_with_mfa,
    trainer,
)
from tests.signalen.factories import meldpunt, png_bytes, report

pytestmark = pytest.mark.django_db


def test_only_contact_persons_of_the_organisation_see_its_signals():
    organisation, (contact,) = meldpunt()
    other, (other_contact,) = meldpunt()
    signal = report(organisation=organisation)
    reporter = signal.reporter
    superuser = UserFactory(is_superuser=True, is_staff=True, organisation=organisation)

    assert list(selectors.signals_visible_to(contact)) == [signal]
    for outsider in [
        other_contact,
        reporter,
        coordinator(organisation=organisation),
        trainer(organisation=organisation),
        UserFactory(organisation=organisation),
        superuser,
    ]:
        assert not selectors.signals_visible_to(outsider).exists(), outsider
        assert not permissions.can_view_signal(outsider, signal)


def test_forwarding_gives_the_receiving_organisation_access_and_the_action():
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    other, (other_contact,) = meldpunt()
    signal = report(organisation=gemeente)

    services.signal_forward(actor=contact, signal=signal, organisation=riec, note="Graag oppakken")
    signal.refresh_from_db()

    assert signal.organisation == riec
    assert list(selectors.signals_visible_to(riec_contact)) == [signal]
    # The sender keeps reading access but no longer acts on it.
    assert list(selectors.signals_visible_to(contact)) == [signal]
    assert not permissions.can_act_on(contact, signal)
    assert permissions.can_act_on(riec_contact, signal)
    with pytest.raises(PermissionDenied):
        services.signal_add_note(actor=contact, signal=signal, text="Nog iets")
    assert not selectors.signals_visible_to(other_contact).exists()


def test_a_reporter_can_stay_anonymous_towards_forwardees_only(client):
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    reporter = UserFactory(organisation=gemeente, full_name="Lotte Geheimhouder")
    signal = report(organisation=gemeente, reporter=reporter, reporter_anonymous=True)
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    services.signal_forward(actor=contact, signal=signal, organisation=riec)

    client.force_login(contact)
    own = client.get(reverse("signalen:detail", args=[signal.pk])).content.decode()
    assert "Lotte Geheimhouder" in own

    client.force_login(riec_contact)
    for name in ["detail", "history"]:
        html = client.get(reverse(f"signalen:{name}", args=[signal.pk])).content.decode()
        assert "Lotte Geheimhouder" not in html
        assert reporter.email not in html
        assert "Melder" in html


def test_coordinators_trainers_participants_and_superusers_get_404_on_a_signal(client):
    organisation, _people = meldpunt()
    signal = report(organisation=organisation)
    outsiders = [
        coordinator(organisation=organisation),
        trainer(organisation=organisation),
        UserFactory(organisation=organisation),
        UserFactory(is_superuser=True, is_staff=True, organisation=organisation),
    ]
    add_totp(outsiders[-1])
    for outsider in outsiders:
        force_login_with_mfa(client, outsider)
        assert client.get(reverse("signalen:detail", args=[signal.pk])).status_code == 404


def test_a_guessed_id_of_another_organisation_gives_404_and_an_audit_entry(client):
    organisation, _people = meldpunt()
    other, (other_contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(other_contact)

    for name in ["detail", "history"]:
        assert client.get(reverse(f"signalen:{name}", args=[signal.pk])).status_code == 404
    for name in ["assign", "note", "ask", "feedback", "forward", "close"]:
        response = client.post(reverse(f"signalen:{name}", args=[signal.pk]), {"note-text": "x"})
        assert response.status_code == 404

    signal.refresh_from_db()
    assert signal.status == "new"
    assert signal.events.count() == 1
    denied = AuditEntry.objects.filter(result="denied", object_id=signal.pk, actor=other_contact)
    assert denied.count() == 8


def test_an_attachment_of_another_organisation_gives_404(client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from signalen.attachments import prepare_attachment

    organisation, (contact,) = meldpunt()
    other, (other_contact,) = meldpunt()
    signal = report(
        organisation=organisation,
        attachments=[prepare_attachment(SimpleUploadedFile("a.png", png_bytes()))],
    )
    attachment = SignalAttachment.objects.get(signal=signal)

    client.force_login(other_contact)
    assert client.get(reverse("signalen:attachment", args=[attachment.pk])).status_code == 404
    client.force_login(signal.reporter)
    assert client.get(reverse("signalen:attachment", args=[attachment.pk])).status_code == 404

    client.force_login(contact)
    response = client.get(reverse("signalen:attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == attachment.file.open("rb").read()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Act.ATTACHMENT_DOWNLOAD, result="ok", object_id=signal.pk
    ).exists()


def test_queue_and_dashboard_are_for_contact_persons_only(client):
    organisation, _people = meldpunt()
    for person in [coordinator(organisation=organisation), UserFactory()]:
        client.force_login(person)
        assert client.get(reverse("signalen:queue")).status_code == 403
        assert client.get(reverse("signalen:dashboard")).status_code == 403


def test_a_contact_person_of_two_organisations_sees_both_queues():
    first, (contact,) = meldpunt()
    second, _people = meldpunt()
    from portal import services as portal_services
    from portal.models import Role

    portal_services.role_assign(user=contact, role=Role.CONTACT_PERSON, organisation=second)
    a = report(organisation=first)
    b = report(organisation=second)
    assert set(selectors.signals_visible_to(contact)) == {a, b}


def test_the_admin_exposes_no_signal_content():
    registered = set(admin.site._registry)
    assert Signal not in registered
    assert SignalEvent not in registered
    assert SignalAttachment not in registered
    assert AuditEntry not in registered
