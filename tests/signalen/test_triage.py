"""Triage: the queue with filters, sorting and overdue marks, and the actions on a signal."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from portal.models import Organisation
from signalen import services
from signalen.models import CloseReason, Signal
from tests.portal.factories import UserFactory
from tests.signalen.factories import CategoryFactory, meldpunt, report, signal_in

pytestmark = pytest.mark.django_db


def _queue(client, **params):
    response = client.get(reverse("signalen:queue"), params)
    assert response.status_code == 200
    page = response.context["page"]
    # The count shown above the list is counted apart from the list; they must agree.
    assert response.context["matching_count"].n == len(page.object_list)
    return [signal.reference for signal in page.object_list]


def test_queue_shows_open_signals_of_my_organisation_newest_first(client):
    organisation, (contact,) = meldpunt()
    other, (other_contact,) = meldpunt()
    first = report(organisation=organisation)
    second = report(organisation=organisation)
    closed = signal_in("closed", actor=contact)
    foreign = report(organisation=other)
    client.force_login(contact)

    assert _queue(client) == [second.reference, first.reference]
    assert closed.reference in _queue(client, status="closed")
    assert foreign.reference not in _queue(client, status="all")


def test_queue_filters_by_category_assignee_age_and_overdue(client):
    organisation, (contact, colleague) = meldpunt(people=2)
    drugs = CategoryFactory(name="Drugs", position=50)
    mine = services.signal_assign(
        actor=contact, signal=report(organisation=organisation), assignee=contact
    )
    theirs = services.signal_assign(
        actor=contact, signal=report(organisation=organisation), assignee=colleague
    )
    drug_signal = report(organisation=organisation, category=drugs)
    old = report(organisation=organisation)
    past = timezone.now() - timedelta(days=40)
    Signal.objects.filter(pk=old.pk).update(received_at=past, deadline_at=past + timedelta(days=2))
    client.force_login(contact)

    assert _queue(client, category=drugs.pk) == [drug_signal.reference]
    assert _queue(client, assignee="me") == [mine.reference]
    assert _queue(client, assignee=str(colleague.pk)) == [theirs.reference]
    assert set(_queue(client, assignee="none")) == {drug_signal.reference, old.reference}
    assert _queue(client, age="gt30") == [old.reference]
    assert old.reference not in _queue(client, age="lt7")
    assert _queue(client, overdue="on") == [old.reference]
    assert _queue(client, sort="oldest")[0] == old.reference
    assert _queue(client, sort="deadline")[0] == old.reference
    response = client.get(reverse("signalen:queue"))
    assert "Over termijn" in response.content.decode()
    assert response.context["overdue_count"].n == 1
    # The overdue banner counts every visible overdue signal, whatever the filters.
    filtered = client.get(reverse("signalen:queue"), {"category": drugs.pk})
    assert filtered.context["overdue_count"].n == 1


def test_queue_ignores_nonsense_filters(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)
    refs = _queue(
        client, status="hacked", category="abc", sort="pk; drop", assignee="x", pagina="-1"
    )
    assert refs == [signal.reference]


def test_queue_query_count_does_not_grow_with_the_number_of_signals(
    client, django_assert_max_num_queries
):
    organisation, (contact, colleague) = meldpunt(people=2)
    riec, _people = meldpunt(kind=Organisation.Kind.RIEC)
    for i in range(60):
        signal = report(organisation=organisation)
        if i % 3 == 0:
            services.signal_assign(actor=contact, signal=signal, assignee=colleague)
        if i % 7 == 0:
            services.signal_forward(actor=contact, signal=signal, organisation=riec)
    client.force_login(contact)
    client.get(reverse("signalen:queue"))  # session and MFA flag settle on the first request

    with django_assert_max_num_queries(12) as captured:
        response = client.get(reverse("signalen:queue"), {"status": "all", "per_page": "50"})
    assert len(response.context["page"].object_list) == 50
    many = len(captured)

    Signal.objects.filter(pk__in=list(Signal.objects.values_list("pk", flat=True)[:55])).delete()
    with django_assert_max_num_queries(many):
        client.get(reverse("signalen:queue"), {"status": "all", "per_page": "50"})


def test_assigning_to_a_colleague_mails_the_colleague_without_content(
    client, django_capture_on_commit_callbacks
):
    organisation, (contact, colleague) = meldpunt(people=2)
    signal = report(organisation=organisation, description="Geheime inhoud over pand 7")
    client.force_login(contact)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signalen:assign", args=[signal.pk]), {"assignee": colleague.pk}
        )

    assert response.status_code == 302
    signal.refresh_from_db()
    assert (signal.status, signal.assignee) == ("in_progress", colleague)
    assert signal.first_picked_up_at is not None
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [colleague.email]
    assert signal.reference in message.subject
    assert "Geheime inhoud" not in message.body
    assert reverse("signalen:detail", args=[signal.pk]) in message.body


def test_assigning_to_myself_sends_no_mail(client, django_capture_on_commit_callbacks):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("signalen:assign", args=[signal.pk]), {"assignee": contact.pk})
    assert mail.outbox == []


def test_cannot_assign_to_someone_outside_the_meldpunt(client):
    organisation, (contact,) = meldpunt()
    outsider = UserFactory(organisation=organisation)
    signal = report(organisation=organisation)
    client.force_login(contact)
    response = client.post(reverse("signalen:assign", args=[signal.pk]), {"assignee": outsider.pk})
    assert response.status_code == 400
    signal.refresh_from_db()
    assert signal.assignee is None


def test_forwarding_mails_every_contact_person_of_the_receiver(
    client, django_capture_on_commit_callbacks
):
    organisation, (contact,) = meldpunt()
    riec, riec_people = meldpunt(kind=Organisation.Kind.RIEC, people=2)
    signal = report(organisation=organisation)
    client.force_login(contact)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("signalen:forward", args=[signal.pk]),
            {"organisation": riec.pk, "note": "Past bij casus 12"},
        )

    assert response.status_code == 302
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in riec_people)
    signal.refresh_from_db()
    assert (signal.status, signal.organisation, signal.assignee) == ("forwarded", riec, None)


def test_closing_needs_a_reason_and_an_explanation(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)
    url = reverse("signalen:close", args=[signal.pk])

    missing = client.post(url, {"reason": CloseReason.NO_GROUNDS, "explanation": ""})
    assert missing.status_code == 400
    assert "explanation" in missing.context["forms"]["close"].errors
    wrong = client.post(url, {"reason": "opgelost", "explanation": "x"})
    assert wrong.status_code == 400

    ok = client.post(url, {"reason": CloseReason.NO_GROUNDS, "explanation": "Niets gevonden"})
    assert ok.status_code == 302
    signal.refresh_from_db()
    assert (signal.status, signal.close_reason, signal.close_explanation) == (
        "closed",
        CloseReason.NO_GROUNDS,
        "Niets gevonden",
    )
    assert signal.deadline_at is None


def test_a_duplicate_links_to_a_visible_original(client):
    organisation, (contact,) = meldpunt()
    other, _people = meldpunt()
    original = report(organisation=organisation)
    duplicate = report(organisation=organisation)
    foreign = report(organisation=other)
    client.force_login(contact)
    url = reverse("signalen:close", args=[duplicate.pk])
    data = {"reason": CloseReason.DUPLICATE, "explanation": "Zelfde pand"}

    assert client.post(url, data).status_code == 400  # no reference
    assert client.post(url, {**data, "duplicate_of": foreign.reference}).status_code == 400
    assert client.post(url, {**data, "duplicate_of": duplicate.reference}).status_code == 400
    response = client.post(url, {**data, "duplicate_of": original.reference.lower()})

    assert response.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.duplicate_of == original
    page = client.get(reverse("signalen:detail", args=[original.pk])).content.decode()
    assert duplicate.reference in page


def test_internal_notes_stay_internal_and_are_on_the_detail_page(client):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    client.force_login(contact)
    response = client.post(reverse("signalen:note", args=[signal.pk]), {"note-text": "Bel BD"})
    assert response.status_code == 302
    event = signal.events.get(kind="note")
    assert (event.text, event.shared_with_reporter) == ("Bel BD", False)
    assert "Bel BD" in client.get(reverse("signalen:detail", args=[signal.pk])).content.decode()


def test_detail_page_offers_only_the_actions_of_the_table(client):
    organisation, (contact,) = meldpunt()
    client.force_login(contact)
    new = report(organisation=organisation)
    forms = client.get(reverse("signalen:detail", args=[new.pk])).context["forms"]
    assert set(forms) == {"assign", "note", "forward", "close"}
    busy = signal_in("in_progress", actor=contact)
    forms = client.get(reverse("signalen:detail", args=[busy.pk])).context["forms"]
    assert set(forms) == {"assign", "note", "ask", "feedback", "forward", "close"}
    closed = signal_in("closed", actor=contact)
    forms = client.get(reverse("signalen:detail", args=[closed.pk])).context["forms"]
    assert set(forms) == {"note", "feedback"}


def test_detail_page_query_count_is_bounded(client, django_assert_max_num_queries):
    organisation, (contact,) = meldpunt()
    signal = signal_in("in_progress", actor=contact)
    for i in range(10):
        services.signal_add_note(actor=contact, signal=signal, text=f"notitie {i}")
    client.force_login(contact)
    client.get(reverse("signalen:detail", args=[signal.pk]))
    with django_assert_max_num_queries(25):
        response = client.get(reverse("signalen:detail", args=[signal.pk]))
    assert response.status_code == 200
