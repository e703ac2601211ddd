"""Every create form carries a one-time key: the same form posted twice (a double click, a
resent request) creates once, and the second answer is the first one's redirect."""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.forms import SUBMISSION_KEY_FIELD
from portal.models import Invitation, Organisation, Programme, RoleAssignment, SubmissionKey
from signalen import services as signal_services
from signalen.models import Signal, SignalEvent
from tests.portal.factories import OrganisationFactory, UserFactory, beheerder, coordinator, trainer
from tests.signalen.factories import CategoryFactory, meldpunt, report
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
    awareness_run,
)
from tests.verkenning.factories import ContactFactory, VerkenningFactory
from tests.werkplaats.factories import (
    GroupFactory,
    ParticipationFactory,
    SessionFactory,
    WerkplaatsFactory,
)
from trainings import services as training_services
from trainings.models import (
    AwarenessDefinition,
    AwarenessExample,
    EvaluationQuestion,
    EvaluationRespondent,
    Material,
    QuestionKind,
    Run,
    Training,
)
from trainings.models import (
    Session as RunSession,
)
from verkenning.models import Contact, Interview, Theme, Verkenning
from werkplaats.models import (
    CaseSketch,
    OrganisationalAction,
    RugdekkingRequest,
    Werkplaats,
)
from werkplaats.models import (
    Session as WerkplaatsSession,
)

pytestmark = pytest.mark.django_db


class _HiddenFields(HTMLParser):
    """The hidden fields of each form on a page, by the address the form posts to."""

    def __init__(self, page_url: str):
        super().__init__()
        self.page_url = page_url
        self.forms: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append((attrs.get("action") or self.page_url, {}))
        elif tag == "input" and self.forms and attrs.get("type") == "hidden" and attrs.get("name"):
            self.forms[-1][1][attrs["name"]] = attrs.get("value") or ""


def _form_defaults(page: str, page_url: str, post_url: str | None = None) -> dict[str, str]:
    """The hidden fields of the form that posts to ``post_url``; it carries a submission key."""
    parser = _HiddenFields(page_url)
    parser.feed(page)
    forms = [fields for action, fields in parser.forms if action == (post_url or page_url)]
    assert len(forms) == 1 and SUBMISSION_KEY_FIELD in forms[0], forms
    return forms[0]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def _later(days: int = 30, hours: int = 0) -> str:
    return _local(timezone.now() + timedelta(days=days, hours=hours))


def signal_report(client):
    organisation, _people = meldpunt()
    client.force_login(UserFactory(organisation=organisation))
    data = {
        "description": "Een bus die 's nachts dozen lost.",
        "category": CategoryFactory().pk,
        "organisation": organisation.pk,
    }
    return reverse("signalen:report"), data, Signal


def _boss(client):
    programme = ProgrammeFactory()
    person = coordinator()
    programme.coordinators.add(person)
    client.force_login(person)
    return programme


def training_create(client):
    programme = _boss(client)
    data = {
        "programme": programme.pk,
        "title": "Hoe werkt het OM?",
        "description": "Van aangifte tot zitting.",
        "provider": OrganisationFactory().pk,
        "format": "training",
        "default_capacity": 12,
    }
    return reverse("trainings:training_create"), data, Training


def material_add(client):
    training = TrainingFactory(programme=_boss(client))
    data = {"title": "Handout", "url": "https://www.riec.nl/handout"}
    page = reverse("trainings:training_edit", args=[training.pk])
    return page, data, Material, reverse("trainings:material_add", args=[training.pk])


def run_create(client):
    training = TrainingFactory(programme=_boss(client))
    data = {
        "capacity": 12,
        "enrolment_opens_at": _later(1),
        "enrolment_closes_at": _later(20),
        "location": "Parket",
    }
    return reverse("trainings:run_create", args=[training.pk]), data, Run


def run_session_create(client):
    run = RunFactory()
    run.training.programme.coordinators.add(coordinator())
    client.force_login(run.training.programme.coordinators.get())
    data = {"starts_at": _later(30), "ends_at": _later(30, 3)}
    page = reverse("trainings:run_edit", args=[run.pk])
    return page, data, RunSession, reverse("trainings:session_create", args=[run.pk])


def awareness_definition_save(client):
    run = awareness_run()
    person = trainer()
    run.trainers.add(person)
    client.force_login(person)
    session = run.sessions.get()
    data = {"group": "Groep 1", "text": "Onderwereld in de bovenwereld."}
    page = reverse("trainings:awareness_room", args=[session.pk])
    return (
        page,
        data,
        AwarenessDefinition,
        reverse("trainings:awareness_definition", args=[session.pk]),
    )


def werkplaats_create(client):
    client.force_login(trainer())
    data = {"title": "Samen sterker", "organisation": OrganisationFactory().pk}
    return reverse("werkplaats:create"), data, Werkplaats


def _facilitator(client):
    person = trainer()
    client.force_login(person)
    return WerkplaatsFactory(facilitators=[person])


def werkplaats_session_create(client):
    werkplaats = _facilitator(client)
    data = {
        "length": "dagdeel",
        "starts_at": _later(30),
        "ends_at": _later(30, 3),
        "location": "Zaal",
    }
    return reverse("werkplaats:session_create", args=[werkplaats.pk]), data, WerkplaatsSession


def organisational_action_create(client):
    werkplaats = _facilitator(client)
    data = {
        "title": "Meldpunt inrichten",
        "owner": "Directie",
        "due_date": (timezone.localdate() + timedelta(days=60)).isoformat(),
        "status": "open",
    }
    return reverse("werkplaats:actions", args=[werkplaats.pk]), data, OrganisationalAction


def _participant(client):
    participation = ParticipationFactory()
    client.force_login(participation.user)
    return participation


def case_sketch_create(client):
    participation = _participant(client)
    participation.group = GroupFactory(werkplaats=participation.werkplaats)
    participation.save()
    session = SessionFactory(werkplaats=participation.werkplaats)
    data = {"title": "De loods", "situation": "Een loods die nooit open is."}
    return reverse("werkplaats:case_sketch_create", args=[session.pk]), data, CaseSketch


def rugdekking_create(client):
    participation = _participant(client)
    data = {
        "manager_name": "Mia Manager",
        "manager_email": "mia@gemeente.example",
        "point": "Twee uur per week voor casusoverleg.",
    }
    url = reverse("werkplaats:rugdekking_create", args=[participation.werkplaats.pk])
    return url, data, RugdekkingRequest


def verkenning_create(client):
    programme = _boss(client)
    data = {
        "programme": programme.pk,
        "organisation": OrganisationFactory().pk,
        "title": "Sociaal domein",
    }
    return reverse("verkenning:create"), data, Verkenning


def evaluation_answer(client):
    ended = timezone.now() - timedelta(days=1)
    run = RunFactory(
        starts_at=ended - timedelta(hours=3),
        ends_at=ended,
        enrolment_opens_at=ended - timedelta(days=20),
        enrolment_closes_at=ended - timedelta(days=3),
    )
    enrolment = EnrolmentFactory(run=run)
    client.force_login(enrolment.participant)
    questions = training_services.run_evaluation_open(run=run)
    data = {f"q{q.pk}": "4" if q.kind == QuestionKind.SCALE else "Goed." for q in questions}
    return reverse("trainings:evaluation", args=[run.pk]), data, EvaluationRespondent


def evaluation_question_add(client):
    programme = _boss(client)
    data = {"kind": QuestionKind.OPEN, "text": "Wat neem je mee?"}
    url = reverse("trainings:evaluation_questions", args=[programme.pk])
    return url, data, EvaluationQuestion


def _verkenner(client):
    verkenning = VerkenningFactory()
    client.force_login(verkenning.verkenners.get())
    return verkenning


def contact_create(client):
    verkenning = _verkenner(client)
    data = {"name": "Fatima", "status": "to_approach"}
    return reverse("verkenning:contacts", args=[verkenning.pk]), data, Contact


def interview_create(client):
    verkenning = _verkenner(client)
    contact = ContactFactory(verkenning=verkenning)
    data = {
        "contact": contact.pk,
        "held_on": timezone.localdate().isoformat(),
        "duration_minutes": 60,
    }
    return reverse("verkenning:interview_create", args=[verkenning.pk]), data, Interview


def theme_create(client):
    _boss(client)
    return reverse("verkenning:themes"), {"name": "Vastgoed"}, Theme


def invitation_create(client):
    _boss(client)
    data = {"email": "nieuw@elders.example", "organisation": OrganisationFactory().pk}
    return reverse("invitation_list"), data, Invitation


def _beheerder(client):
    client.force_login(beheerder())


def organisation_create(client):
    _beheerder(client)
    data = {"name": "Gemeente Dubbelklik", "kind": "gemeente", "domains": "dubbelklik.example"}
    return reverse("beheer_organisation_create"), data, Organisation


def programme_create(client):
    _beheerder(client)
    data = {"name": "Werkend leren 2030", "description": "", "is_active": "on"}
    return reverse("beheer_programme_create"), data, Programme


def role_grant(client):
    _beheerder(client)
    person = UserFactory()
    data = {"user": person.email, "role": "trainer"}
    return reverse("beheer_role_list"), data, RoleAssignment


def bulk_invitations(client):
    _beheerder(client)
    data = {"organisation": OrganisationFactory().pk, "addresses": "a@x.example\nb@x.example"}
    return reverse("beheer_invitations"), data, Invitation


CREATE_FORMS = [
    signal_report,
    training_create,
    material_add,
    run_create,
    run_session_create,
    awareness_definition_save,
    werkplaats_create,
    werkplaats_session_create,
    organisational_action_create,
    case_sketch_create,
    rugdekking_create,
    evaluation_answer,
    evaluation_question_add,
    verkenning_create,
    contact_create,
    interview_create,
    theme_create,
    invitation_create,
    organisation_create,
    programme_create,
    role_grant,
    bulk_invitations,
]


@pytest.mark.parametrize("make", CREATE_FORMS, ids=lambda make: make.__name__)
def test_the_same_create_form_posted_twice_creates_once(client, make):
    # A page may show the create form and post it elsewhere: (page, data, model[, post to]).
    page_url, data, model, *post_to = make(client)
    page = client.get(page_url)
    assert page.status_code == 200
    post_url = post_to[0] if post_to else page_url
    defaults = _form_defaults(page.content.decode(), page_url, post_url)
    before = model.objects.count()

    first = client.post(post_url, {**defaults, **data})
    assert first.status_code == 302, first.content.decode()[:2000]
    created = model.objects.count() - before
    assert created >= 1
    again = client.post(post_url, {**defaults, **data}, follow=True)

    assert model.objects.count() - before == created
    assert again.redirect_chain[0] == (first["Location"], 302)
    assert "al verstuurd" in again.content.decode()


def test_a_refused_form_gives_its_key_back_so_the_corrected_form_is_stored(client):
    url, data, model = werkplaats_create(client)
    defaults = _form_defaults(client.get(url).content.decode(), url)
    refused = client.post(url, {**defaults, **data, "title": ""})
    assert refused.status_code == 200
    assert not SubmissionKey.objects.exists()
    assert client.post(url, {**defaults, **data}).status_code == 302
    assert model.objects.count() == 1


def test_an_attachment_posted_twice_is_stored_once(client):
    url, data, _model = signal_report(client)
    defaults = _form_defaults(client.get(url).content.decode(), url)
    for _ in range(2):
        client.post(
            url,
            {**defaults, **data, "attachments": [SimpleUploadedFile("a.txt", b"x")]},
        )
    assert Signal.objects.count() == 0  # refused file: nothing, and the key was given back
    assert not SubmissionKey.objects.exists()


@pytest.mark.parametrize(
    ("url_name", "data", "kind"),
    [
        ("signalen:note", {"note-text": "Notitie één keer"}, "note"),
        ("signalen:ask", {"ask-text": "Vraag één keer"}, "question"),
        ("signalen:feedback", {"feedback-text": "Terugkoppeling één keer"}, "feedback"),
    ],
)
def test_a_triage_text_posted_twice_is_recorded_once(client, url_name, data, kind):
    organisation, (contact,) = meldpunt()
    signal = report(organisation=organisation)
    signal_services.signal_assign(actor=contact, signal=signal, assignee=contact)
    client.force_login(contact)
    detail = reverse("signalen:detail", args=[signal.pk])
    post_url = reverse(url_name, args=[signal.pk])
    parser = _HiddenFields(detail)
    parser.feed(client.get(detail).content.decode())
    (hidden,) = [fields for action, fields in parser.forms if action == post_url]
    assert any(name.endswith(SUBMISSION_KEY_FIELD) for name in hidden)
    fields = {**hidden, **data}

    first = client.post(post_url, fields)
    second = client.post(post_url, fields)

    assert first.status_code == 302
    assert second.status_code == 302 and second["Location"] == first["Location"]
    assert SignalEvent.objects.filter(signal=signal, kind=kind).count() == 1


def test_an_example_sent_twice_is_stored_once_and_no_record_says_who_sent_it(client):
    """The anonymous example keeps its one-time key on itself, not in the per-person record."""
    run = awareness_run()
    person = EnrolmentFactory(run=run).participant
    client.force_login(person)
    session = run.sessions.get()
    page = reverse("trainings:awareness_room", args=[session.pk])
    post_url = reverse("trainings:awareness_example", args=[session.pk])
    parser = _HiddenFields(page)
    parser.feed(client.get(page).content.decode())
    (hidden,) = [fields for action, fields in parser.forms if action == post_url]
    fields = {**hidden, "text": "Een kapper zonder klanten."}

    assert client.post(post_url, fields).status_code == 302
    assert client.post(post_url, fields).status_code == 302

    assert AwarenessExample.objects.count() == 1
    assert not SubmissionKey.objects.exists()
