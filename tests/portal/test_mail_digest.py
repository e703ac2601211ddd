"""At once or in a daily digest, per person and kind of mail; security mails always at once."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from portal import reminders, services
from portal.digest import DAILY_DIGEST, digest_moment
from portal.invitations import INVITATION_MAIL
from portal.models import (
    DailyDigest,
    MailDelivery,
    MailPreference,
    Organisation,
    PlannedReminder,
    ReminderStatus,
)
from portal.tasks import dispatch_due_reminders
from tests.portal.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

NEWS = "tests.digest_news"
SECRET_LINK = "tests.digest_secret_link"
GONE = "tests.digest_gone"
SECURITY = "tests.digest_security"


@reminders.register(NEWS, label="Testnieuws")
def render_news(reminder):
    organisation = Organisation.objects.get(pk=reminder.target_id)
    return reminders.ReminderMessage(
        subject=f"Nieuws van {organisation.name}", body=f"Over {organisation.name}."
    )


@reminders.register(SECRET_LINK, keep_body=False, label="Testlink")
def render_secret_link(reminder):
    return reminders.ReminderMessage(subject="Je link", body="https://portaal.example/geheim-42/")


@reminders.register(GONE, label="Testverdwenen")
def render_gone(reminder):
    return None


@reminders.register(SECURITY, label="Testbeveiliging", security=True)
def render_security(reminder):
    return reminders.ReminderMessage(subject="Nieuwe rol", body="Je hebt een nieuwe rol.")


def plan(person, *, kind=NEWS, ago=timedelta(minutes=1)):
    return services.reminder_plan(
        kind=kind, target=OrganisationFactory(), due_at=timezone.now() - ago, recipient=person
    )


def choose_digest(person, *kinds):
    services.mail_preferences_update(
        user=person, deliveries=dict.fromkeys(kinds, MailDelivery.DIGEST)
    )


def digest_rows(person):
    return list(PlannedReminder.objects.filter(kind=DAILY_DIGEST, recipient=person).order_by("pk"))


def make_digests_due():
    PlannedReminder.objects.filter(kind=DAILY_DIGEST, status=ReminderStatus.PLANNED).update(
        due_at=timezone.now() - timedelta(seconds=1)
    )


def test_a_person_who_chose_the_digest_gets_one_mail_a_day_with_each_reminder_once(
    client, settings
):
    settings.REMINDER_DIGEST_HOUR = 7
    me, colleague = UserFactory(), UserFactory()
    choose_digest(me, NEWS)
    mine = [plan(me) for _ in range(3)]
    plan(colleague)

    dispatch_due_reminders()

    # The colleague, who chose nothing, gets theirs at once; mine wait for the digest.
    assert [m.to for m in mail.outbox] == [[colleague.email]]
    (digest,) = digest_rows(me)
    local_due = timezone.localtime(digest.due_at)
    assert (local_due.hour, local_due.minute) == (7, 0)
    assert digest.due_at == digest_moment(after=min(r.due_at for r in mine))

    make_digests_due()
    dispatch_due_reminders()
    dispatch_due_reminders()

    assert len(mail.outbox) == 2
    message = mail.outbox[1]
    assert message.to == [me.email]
    assert message.subject == "Je dagelijkse overzicht: 3 berichten"
    for reminder in mine:
        organisation = Organisation.objects.get(pk=reminder.target_id)
        assert message.body.count(f"Nieuws van {organisation.name}") == 1
    digest.refresh_from_db()
    assert digest.status == ReminderStatus.SENT
    items = PlannedReminder.objects.filter(pk__in=[r.pk for r in mine])
    assert {(r.status, r.digest_id) for r in items} == {(ReminderStatus.DIGESTED, digest.pk)}

    client.force_login(me)
    page = client.get(reverse("reminder_list")).content.decode()
    assert "Je dagelijkse overzicht: 3 berichten" in page


def test_a_reminder_due_after_the_digest_went_out_waits_for_the_next_days_digest():
    me = UserFactory()
    choose_digest(me, NEWS)
    plan(me)
    dispatch_due_reminders()
    make_digests_due()
    dispatch_due_reminders()
    later = plan(me, ago=timedelta(seconds=1))

    dispatch_due_reminders()

    first, second = digest_rows(me)
    days = DailyDigest.objects.filter(pk__in=[first.target_id, second.target_id])
    assert len({d.day for d in days}) == 2
    assert second.status == ReminderStatus.PLANNED
    make_digests_due()
    dispatch_due_reminders()
    later.refresh_from_db()
    assert (later.status, later.digest_id) == (ReminderStatus.DIGESTED, second.pk)
    assert len(mail.outbox) == 2


def test_a_digest_stores_no_secret_link_and_skips_what_is_no_longer_relevant():
    me = UserFactory()
    choose_digest(me, SECRET_LINK, GONE)
    link = plan(me, kind=SECRET_LINK)
    gone = plan(me, kind=GONE)
    dispatch_due_reminders()
    make_digests_due()

    dispatch_due_reminders()

    (message,) = mail.outbox
    assert "geheim-42" in message.body
    (digest,) = digest_rows(me)
    assert "geheim-42" not in digest.body
    link.refresh_from_db()
    gone.refresh_from_db()
    assert "geheim-42" not in link.body
    assert (link.status, gone.status) == (ReminderStatus.DIGESTED, ReminderStatus.SKIPPED)


def test_a_digest_with_nothing_left_to_say_is_skipped():
    me = UserFactory()
    choose_digest(me, GONE)
    plan(me, kind=GONE)
    dispatch_due_reminders()
    make_digests_due()

    dispatch_due_reminders()

    assert mail.outbox == []
    assert [d.status for d in digest_rows(me)] == [ReminderStatus.SKIPPED]


def test_security_mails_are_always_sent_at_once_and_not_offered():
    me = UserFactory()
    with pytest.raises(ValidationError):
        choose_digest(me, SECURITY)
    with pytest.raises(ValidationError):
        choose_digest(me, INVITATION_MAIL)
    # Even a preference stored before a kind became security-relevant is ignored.
    MailPreference.objects.create(user=me, kind=SECURITY, delivery=MailDelivery.DIGEST)
    plan(me, kind=SECURITY)

    dispatch_due_reminders()

    assert [m.subject for m in mail.outbox] == ["Nieuwe rol"]
    assert digest_rows(me) == []


def test_choosing_at_once_again_sends_what_still_waits_at_once():
    me = UserFactory()
    choose_digest(me, NEWS)
    waiting = plan(me)
    services.mail_preferences_update(user=me, deliveries={NEWS: MailDelivery.AT_ONCE})

    dispatch_due_reminders()

    waiting.refresh_from_db()
    assert waiting.status == ReminderStatus.SENT


# --- the preferences page ----------------------------------------------------------------------


def test_the_preferences_page_offers_each_labelled_kind_but_no_security_kind(
    client, django_assert_max_num_queries
):
    me = UserFactory()
    choose_digest(me, NEWS)
    client.force_login(me)

    with django_assert_max_num_queries(8):
        response = client.get(reverse("mail_preferences"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<legend" in page and "Testnieuws" in page and "Signaal aan jou toegewezen" in page
    assert "Testbeveiliging" not in page and "Uitnodiging</legend>" not in page
    assert response.context["form"][NEWS].value() == MailDelivery.DIGEST
    assert response.context["form"][SECRET_LINK].value() == MailDelivery.AT_ONCE


def test_saving_the_preferences_page_stores_the_choices(client):
    me = UserFactory()
    client.force_login(me)
    form = client.get(reverse("mail_preferences")).context["form"]
    data = {name: MailDelivery.AT_ONCE for name in form.fields} | {NEWS: MailDelivery.DIGEST}

    response = client.post(reverse("mail_preferences"), data, follow=True)

    assert "Je e-mailvoorkeuren zijn opgeslagen" in response.content.decode()
    assert dict(MailPreference.objects.filter(user=me).values_list("kind", "delivery"))[NEWS] == (
        MailDelivery.DIGEST
    )


def test_the_preferences_page_needs_a_login(client):
    response = client.get(reverse("mail_preferences"))
    assert response.status_code == 302
