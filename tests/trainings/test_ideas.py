"""Ideas for knowledge exchange: proposing, the coordinators' status, one mail per change."""

import threading

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.urls import reverse

from portal.models import PlannedReminder, ReminderStatus
from portal.tasks import dispatch_due_reminders
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    coordinator,
    force_login_with_mfa,
)
from tests.trainings.factories import ProgrammeFactory
from trainings import scheduling, services
from trainings.models import Idea, IdeaForm, IdeaStatus, IdeaStatusChange

pytestmark = pytest.mark.django_db


def coordinator_of(programme):
    person = coordinator()
    programme.coordinators.add(person)
    return person


@pytest.fixture
def setting():
    programme = ProgrammeFactory(name="Werkend leren ideeën")
    return programme, coordinator_of(programme), coordinator_of(programme), UserFactory()


def propose(programme, proposer, **extra):
    return services.idea_propose(
        proposer=proposer,
        programme=programme,
        title=extra.pop("title", "Meeloopdag bij de Belastingdienst"),
        form=IdeaForm.MEELOOPDAG,
        content="Een dag meelopen met een rechercheur van de FIOD.",
        **extra,
    )


def test_a_proposal_mails_each_coordinator_of_the_programme_once(setting):
    programme, first, second, proposer = setting
    elsewhere = coordinator_of(ProgrammeFactory(name="Elders"))

    propose(programme, proposer, partners=[OrganisationFactory(name="Belastingdienst")])
    dispatch_due_reminders()
    dispatch_due_reminders()

    assert sorted(m.to[0] for m in mail.outbox) == sorted([first.email, second.email])
    assert all("Meeloopdag bij de Belastingdienst" in m.subject for m in mail.outbox)
    assert "Belastingdienst" in mail.outbox[0].body
    assert elsewhere.email not in {m.to[0] for m in mail.outbox}
    assert (
        PlannedReminder.objects.filter(
            kind=scheduling.IDEA_PROPOSED, status=ReminderStatus.SENT
        ).count()
        == 2
    )


def test_each_status_change_mails_the_proposer_exactly_once(setting):
    programme, decider, _other, proposer = setting
    idea = propose(programme, proposer)
    dispatch_due_reminders()
    mail.outbox.clear()

    services.idea_status_change(
        actor=decider, idea=idea, status=IdeaStatus.IN_DISCUSSION, comment="Op de agenda."
    )
    dispatch_due_reminders()
    services.idea_status_change(actor=decider, idea=idea, status=IdeaStatus.ADOPTED)
    dispatch_due_reminders()
    dispatch_due_reminders()

    assert [m.to[0] for m in mail.outbox] == [proposer.email, proposer.email]
    assert "In bespreking" in mail.outbox[0].subject
    assert "Op de agenda." in mail.outbox[0].body
    assert "Overgenomen" in mail.outbox[1].subject
    sent = PlannedReminder.objects.filter(kind=scheduling.IDEA_STATUS_CHANGED, recipient=proposer)
    assert sent.count() == 2 and all(r.status == ReminderStatus.SENT for r in sent)


def test_the_status_mail_goes_out_at_commit(setting, django_capture_on_commit_callbacks):
    programme, decider, _other, proposer = setting
    idea = propose(programme, proposer)
    dispatch_due_reminders()
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.idea_status_change(actor=decider, idea=idea, status=IdeaStatus.NOT_NOW)

    assert [m.to[0] for m in mail.outbox] == [proposer.email]


def test_the_same_status_again_is_refused_and_writes_nothing(setting):
    programme, decider, _other, proposer = setting
    idea = propose(programme, proposer)

    with pytest.raises(ValidationError):
        services.idea_status_change(actor=decider, idea=idea, status=IdeaStatus.NEW)
    with pytest.raises(ValidationError):
        services.idea_status_change(actor=decider, idea=idea, status="maybe")

    assert not IdeaStatusChange.objects.exists()


def test_only_the_programmes_coordinators_decide(setting):
    programme, _decider, _other, proposer = setting
    idea = propose(programme, proposer)
    outsider = coordinator_of(ProgrammeFactory(name="Ander programma"))

    for person in (proposer, outsider, UserFactory()):
        with pytest.raises(PermissionDenied):
            services.idea_status_change(actor=person, idea=idea, status=IdeaStatus.ADOPTED)

    idea.refresh_from_db()
    assert idea.status == IdeaStatus.NEW


def test_the_proposer_sees_status_and_history_others_get_404(client, setting):
    programme, decider, _other, proposer = setting
    idea = propose(programme, proposer)
    services.idea_status_change(
        actor=decider, idea=idea, status=IdeaStatus.IN_DISCUSSION, comment="Mooi idee!"
    )
    url = reverse("trainings:idea_detail", args=[idea.pk])

    client.force_login(proposer)
    page = client.get(url).content.decode()
    assert "In bespreking" in page and "Mooi idee!" in page
    assert "Status opslaan" not in page
    listing = client.get(reverse("trainings:ideas")).content.decode()
    assert "Meeloopdag bij de Belastingdienst" in listing
    assert "Ideeën in mijn programma's" not in listing  # the coordinators' list is theirs
    # The proposer cannot change the status by posting.
    assert client.post(url, {"status": IdeaStatus.ADOPTED}).status_code == 404

    client.force_login(UserFactory())
    assert client.get(url).status_code == 404
    force_login_with_mfa(client, coordinator_of(ProgrammeFactory(name="Derde")))
    assert client.get(url).status_code == 404
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.IN_DISCUSSION


def test_a_coordinator_proposes_nothing_twice_and_decides_in_the_browser(client, setting):
    programme, decider, _other, proposer = setting
    partner = OrganisationFactory(name="Politie Midden")
    client.force_login(proposer)
    response = client.post(
        reverse("trainings:idea_create"),
        {
            "programme": programme.pk,
            "title": "Lunchlezing over Bibob",
            "form": IdeaForm.LUNCHLEZING,
            "content": "Een jurist vertelt over de Wet Bibob.",
            "partners": [partner.pk],
        },
    )
    idea = Idea.objects.get()
    assert response.status_code == 302
    assert list(idea.partners.all()) == [partner]

    force_login_with_mfa(client, decider)
    listing = client.get(reverse("trainings:ideas") + f"?programma={programme.pk}&status=new")
    assert "Lunchlezing over Bibob" in listing.content.decode()
    other_status = client.get(reverse("trainings:ideas") + "?status=adopted").content.decode()
    assert "Lunchlezing over Bibob" not in other_status
    response = client.post(
        reverse("trainings:idea_detail", args=[idea.pk]),
        {"status": IdeaStatus.ADOPTED, "comment": "We plannen hem in maart."},
    )
    assert response.status_code == 302
    idea.refresh_from_db()
    assert idea.status == IdeaStatus.ADOPTED
    # A repeated post of the same status is refused with a message, nothing recorded twice.
    again = client.post(
        reverse("trainings:idea_detail", args=[idea.pk]), {"status": IdeaStatus.ADOPTED}
    )
    assert again.status_code == 200 and "status" in again.context["form"].errors
    assert IdeaStatusChange.objects.filter(idea=idea).count() == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"title": "x" * 300, "form": "meeloopdag", "content": "Iets."},
        {"title": "Iets", "form": "feest", "content": "Iets."},
        {"title": "Iets", "form": "meeloopdag", "content": ""},
    ],
)
def test_bad_proposals_get_a_message_and_write_nothing(client, setting, data):
    programme, *_rest, proposer = setting
    client.force_login(proposer)

    response = client.post(reverse("trainings:idea_create"), {"programme": programme.pk, **data})

    assert response.status_code == 200 and response.context["form"].errors
    assert not Idea.objects.exists()


def test_an_inactive_programme_takes_no_ideas(setting):
    programme, *_rest, proposer = setting
    programme.is_active = False
    programme.save()
    with pytest.raises(ValidationError):
        propose(programme, proposer)


def test_the_ideas_pages_have_constant_query_counts(client, setting, django_assert_num_queries):
    programme, decider, _other, proposer = setting
    force_login_with_mfa(client, decider)
    propose(programme, proposer)
    url = reverse("trainings:ideas")
    client.get(url)
    with django_assert_num_queries(7) as few:
        client.get(url)
    for n in range(15):
        idea = propose(programme, UserFactory(), title=f"Idee {n}")
        services.idea_status_change(actor=decider, idea=idea, status=IdeaStatus.IN_DISCUSSION)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get(url)


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks")
def test_concurrent_status_changes_keep_every_step_of_the_history():
    programme = ProgrammeFactory(name="Gelijktijdig")
    first, second = coordinator_of(programme), coordinator_of(programme)
    idea = propose(programme, UserFactory())
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(person, status):
        try:
            barrier.wait()
            services.idea_status_change(actor=person, idea=idea, status=status)
            outcomes.append(status)
        except ValidationError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(first, IdeaStatus.IN_DISCUSSION)),
        threading.Thread(target=decide, args=(second, IdeaStatus.ADOPTED)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    idea.refresh_from_db()
    history = list(IdeaStatusChange.objects.filter(idea=idea).order_by("pk"))
    assert len(history) == 2
    # The chain is unbroken: each step starts where the previous one ended.
    assert history[0].from_status == IdeaStatus.NEW
    assert history[1].from_status == history[0].to_status
    assert idea.status == history[1].to_status
