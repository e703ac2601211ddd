"""Mail about a new signal, shared feedback and the closing: to exactly the people it concerns,
with a reference and a link but never the signal's content or who reported it."""

import pytest
from django.core import mail

from portal.models import Organisation, PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders
from signalen import scheduling, services
from signalen.models import CloseReason
from tests.portal.factories import UserFactory, contact_person
from tests.signalen.factories import meldpunt, report

pytestmark = pytest.mark.django_db

# Planted in every free-text field; it must never reach a mail.
MARKER = "Geheim7Q"


def _secret_report(**kwargs):
    return report(
        description=f"{MARKER} omschrijving",
        involved=f"{MARKER} betrokkene B.V.",
        location=f"{MARKER}straat 1",
        **kwargs,
    )


def _delivered() -> list[tuple[str, str]]:
    dispatch_due_reminders()
    dispatch_due_reminders()  # a second round adds nothing
    return sorted((message.to[0], message.subject) for message in mail.outbox)


def _assert_no_content(signal, *, to_contact_persons: bool = True):
    assert mail.outbox
    for message in mail.outbox:
        assert MARKER not in message.subject and MARKER not in message.body
        if to_contact_persons and message.to != [signal.reporter.email]:
            assert signal.reporter.full_name not in message.subject + message.body
            assert signal.reporter.email not in message.body


def test_a_new_signal_mails_each_active_contact_person_of_the_receiving_organisation_once(
    django_capture_on_commit_callbacks,
):
    gemeente, (first, second) = meldpunt(people=2)
    contact_person(organisation=gemeente, is_active=False)
    UserFactory(organisation=gemeente)  # a member, not a contact person
    elders, (other,) = meldpunt()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        signal = _secret_report(organisation=gemeente)

    assert len(callbacks) == 1  # queued once, after the commit
    subject = f"Nieuw signaal {signal.reference} bij jullie meldpunt"
    assert _delivered() == sorted([(first.email, subject), (second.email, subject)])
    recipients = {r.recipient for r in PlannedReminder.objects.filter(kind=scheduling.NEW_MAIL)}
    assert recipients == {first, second}
    _assert_no_content(signal)
    for message in mail.outbox:
        assert signal.category.name in message.body
        assert f"/signalen/{signal.pk}/" in message.body
    assert other.email not in {m.to[0] for m in mail.outbox}


def test_a_contact_person_reporting_to_their_own_meldpunt_is_not_mailed_about_it():
    gemeente, (reporter, colleague) = meldpunt(people=2)
    report(organisation=gemeente, reporter=reporter)
    assert [to for to, _subject in _delivered()] == [colleague.email]


def test_a_new_anonymous_signal_names_nobody_in_the_mail():
    gemeente, (contact,) = meldpunt()
    signal = _secret_report(organisation=gemeente, reporter_anonymous=True)
    assert [to for to, _subject in _delivered()] == [contact.email]
    _assert_no_content(signal)


def test_the_new_signal_mail_is_skipped_for_someone_no_longer_contact_person():
    gemeente, (contact,) = meldpunt()
    signal = report(organisation=gemeente)
    contact.role_assignments.all().delete()
    assert _delivered() == []
    (reminder,) = PlannedReminder.objects.filter(kind=scheduling.NEW_MAIL)
    assert reminder.status == ReminderStatus.SKIPPED
    assert signal.reference


def test_shared_feedback_mails_the_reporter_a_link_to_their_own_signal_only():
    gemeente, (contact, colleague) = meldpunt(people=2)
    signal = _secret_report(organisation=gemeente)
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    _delivered()
    mail.outbox.clear()

    services.signal_share_feedback(actor=contact, signal=signal, text=f"{MARKER} terugkoppeling")

    assert _delivered() == [
        (signal.reporter.email, f"Terugkoppeling over je melding {signal.reference}")
    ]
    (message,) = mail.outbox
    assert f"/signalen/mijn/{signal.pk}/" in message.body
    _assert_no_content(signal, to_contact_persons=False)


def test_closing_mails_the_reporter_once_even_with_feedback():
    gemeente, (contact,) = meldpunt()
    signal = _secret_report(organisation=gemeente)
    _delivered()
    mail.outbox.clear()

    services.signal_close(
        actor=contact,
        signal=signal,
        reason=CloseReason.HANDLED_INTERNALLY,
        explanation=f"{MARKER} toelichting",
        feedback=f"{MARKER} terugkoppeling bij afsluiten",
    )

    assert _delivered() == [(signal.reporter.email, f"Je melding {signal.reference} is afgesloten")]
    assert f"/signalen/mijn/{signal.pk}/" in mail.outbox[0].body
    _assert_no_content(signal, to_contact_persons=False)
    assert not PlannedReminder.objects.filter(kind=scheduling.FEEDBACK_MAIL).exists()


def test_a_reporter_who_left_gets_no_mail():
    gemeente, (contact,) = meldpunt()
    signal = report(organisation=gemeente)
    _delivered()
    mail.outbox.clear()
    signal.reporter.is_active = False
    signal.reporter.save(update_fields=["is_active"])
    services.signal_close(
        actor=contact, signal=signal, reason=CloseReason.NO_GROUNDS, explanation="Niets gevonden."
    )
    assert _delivered() == []


def test_a_whole_lifecycle_sends_no_content_to_anyone():
    gemeente, (contact, colleague) = meldpunt(people=2)
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    signal = _secret_report(organisation=gemeente, reporter_anonymous=True)
    services.signal_assign(actor=contact, signal=signal, assignee=colleague)
    services.signal_ask_reporter(actor=colleague, signal=signal, question=f"{MARKER} vraag?")
    services.signal_reporter_reply(reporter=signal.reporter, signal=signal, text=f"{MARKER} ja")
    services.signal_share_feedback(actor=colleague, signal=signal, text=f"{MARKER} dank")
    services.signal_add_note(actor=colleague, signal=signal, text=f"{MARKER} notitie")
    services.signal_forward(actor=colleague, signal=signal, organisation=riec, note=MARKER)
    services.signal_close(
        actor=riec_contact, signal=signal, reason=CloseReason.NO_GROUNDS, explanation=MARKER
    )

    delivered = _delivered()
    ref = signal.reference
    reporter = signal.reporter.email
    assert delivered == sorted(
        [
            (contact.email, f"Nieuw signaal {ref} bij jullie meldpunt"),
            (colleague.email, f"Nieuw signaal {ref} bij jullie meldpunt"),
            (colleague.email, f"Signaal {ref} is aan jou toegewezen"),
            (reporter, f"Vraag over je melding {ref}"),
            (reporter, f"Terugkoppeling over je melding {ref}"),
            (riec_contact.email, f"Signaal {ref} is naar jullie meldpunt doorgestuurd"),
            (reporter, f"Je melding {ref} is afgesloten"),
        ]
    )
    _assert_no_content(signal)
