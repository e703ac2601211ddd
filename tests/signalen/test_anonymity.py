"""An anonymous reporter stays unnamed towards the organisations a signal is forwarded to.

The rule holds for every row that names a person, whatever the event: the timeline, the
audit history, the assignee and the mails. Only the first receiver may know who reported.
"""

import re

import pytest
from django.core import mail
from django.urls import reverse

from portal import services as portal_services
from portal.models import Organisation, Role
from signalen import services
from tests.portal.factories import UserFactory, contact_person
from tests.signalen.factories import meldpunt, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def forwarded_anonymous():
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    reporter = UserFactory(organisation=gemeente, full_name="Rianne Verklikker")
    signal = report(organisation=gemeente, reporter=reporter, reporter_anonymous=True)
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    services.signal_forward(actor=contact, signal=signal, organisation=riec)
    return signal, reporter, contact, riec_contact


def test_a_refused_read_by_the_reporter_does_not_name_them_to_the_riec(client, forwarded_anonymous):
    signal, reporter, contact, riec_contact = forwarded_anonymous
    client.force_login(reporter)
    for name in ("detail", "history"):
        assert client.get(reverse(f"signalen:{name}", args=[signal.pk])).status_code == 404

    client.force_login(riec_contact)
    detail = client.get(reverse("signalen:detail", args=[signal.pk])).content.decode()
    history = client.get(reverse("signalen:history", args=[signal.pk])).content.decode()
    assert "anoniem" in detail
    assert "Geweigerd" in history  # the refused reads are listed …
    for html in (detail, history):
        assert "Rianne" not in html and reporter.email not in html  # … without the name
        assert "Melder" in html

    # The first receiver knows who reported, and sees the name on every row.
    client.force_login(contact)
    assert (
        "Rianne Verklikker"
        in client.get(reverse("signalen:history", args=[signal.pk])).content.decode()
    )


def test_a_reporter_who_also_triages_is_not_named_to_the_riec_in_any_event(
    client, django_capture_on_commit_callbacks
):
    """The reporter is a contact person of the RIEC too: each of their acts there is hidden."""
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    reporter = contact_person(organisation=riec, full_name="Rianne Verklikker")
    signal = report(organisation=gemeente, reporter=reporter, reporter_anonymous=True)
    services.signal_forward(actor=contact, signal=signal, organisation=riec)
    services.signal_assign(actor=reporter, signal=signal, assignee=reporter)
    services.signal_add_note(actor=reporter, signal=signal, text="Ik kijk ernaar")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.signal_assign(actor=reporter, signal=signal, assignee=riec_contact)

    client.force_login(riec_contact)
    for name in ("detail", "history"):
        html = client.get(reverse(f"signalen:{name}", args=[signal.pk])).content.decode()
        # The assign form lists every RIEC contact person; it says nothing about who reported.
        html = re.sub(r"<select.*?</select>", "", html, flags=re.S)
        assert "Rianne" not in html and reporter.email not in html, name
    queue = client.get(reverse("signalen:queue") + "?status=").content.decode()
    queue = re.sub(r"<select.*?</select>", "", queue, flags=re.S)  # the assignee filter
    assert "Rianne" not in queue
    (assigned_mail,) = mail.outbox
    assert "Rianne" not in assigned_mail.body
    assert "Melder heeft signaal" in assigned_mail.body


def test_without_anonymity_everyone_with_access_sees_the_name(client):
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    reporter = UserFactory(organisation=gemeente, full_name="Olaf Openhartig")
    signal = report(organisation=gemeente, reporter=reporter)
    services.signal_forward(actor=contact, signal=signal, organisation=riec)
    client.force_login(riec_contact)
    history = client.get(reverse("signalen:history", args=[signal.pk])).content.decode()
    assert "Olaf Openhartig" in history


def test_a_contact_person_of_both_organisations_sees_the_name(client, forwarded_anonymous):
    signal, reporter, contact, riec_contact = forwarded_anonymous
    portal_services.role_assign(
        user=riec_contact, role=Role.CONTACT_PERSON, organisation=signal.reported_to
    )
    client.force_login(riec_contact)
    history = client.get(reverse("signalen:history", args=[signal.pk])).content.decode()
    assert "Rianne Verklikker" in history
