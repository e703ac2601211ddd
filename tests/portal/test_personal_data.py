"""'Mijn gegevens' and the request to erase one's data (AVG art. 15, 17, 20).

A world with a marker in every kind of record for the person and for two other people,
each also taking part in the others' runs, werkplaatsen and verkenningen: the person's
download holds each of their kinds and nothing of the others'; after an approved request
no text column of any table holds the person's name or address, and the audit chain
still verifies.
"""

import csv
import io
import json
import secrets
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal import erasure, personal_data, reminders
from portal.account_data import is_pseudonym
from portal.deletion_mails import (
    DELETION_APPROVED,
    DELETION_DEADLINE_NEAR,
    DELETION_DECLINED,
    DELETION_REQUESTED,
)
from portal.models import (
    DeletionRequest,
    MailPreference,
    PlannedReminder,
    ReminderStatus,
    Role,
    User,
)
from portal.services import network_profile_update, reminder_plan, reminders_send, role_grant
from signalen import audit
from signalen import services as signal_services
from tests.portal.factories import (
    LoginEventFactory,
    UserFactory,
    add_totp,
    beheerder,
    force_login_with_mfa,
)
from tests.portal.mailstack import SmtpSink
from tests.signalen.factories import CategoryFactory, meldpunt
from tests.trainings.factories import EnrolmentFactory, past_run
from tests.verkenning.factories import InterviewFactory, VerkenningFactory
from tests.werkplaats.factories import (
    GroupFactory,
    ParticipationFactory,
    PracticeLogFactory,
    WerkplaatsFactory,
)
from tests.werkplaats.factories import SessionFactory as WerkplaatsSessionFactory
from trainings.models import (
    Attendance,
    AttendanceStatus,
    Certificate,
    DevelopmentPlan,
    EnrolmentEpisode,
    EvaluationRespondent,
    FollowupRespondent,
    Idea,
    IdeaForm,
    ManagerApproval,
    Reflection,
    Resource,
    ResourceKind,
)
from werkplaats.models import CaseSketch, RugdekkingRequest

pytestmark = pytest.mark.django_db

# Per kind of record: the marker the person's download must show in that kind's file
# (``None``: the file must hold at least one record). A kind registered without an entry
# here fails ``test_the_world_covers_every_kind``.
KIND_MARKERS = {
    "profiel": "functie",
    "emailadressen": None,
    "tweede_factor": None,
    "rollen": None,
    "rolwijzigingen": None,
    "inlogpogingen": "inlog",
    "emails": "mail",
    "emailvoorkeuren": None,
    "netwerkprofiel": "netwerk",
    "netwerktoestemmingen": None,
    "verwijderverzoeken": None,
    "trainingen_inschrijvingen": "training",
    "trainingen_aanwezigheid": "training",
    "trainingen_ontwikkelplannen": "pop",
    "trainingen_reflecties": "reflectie",
    "trainingen_akkoorden": "akkoord",
    "trainingen_evaluaties": "training",
    "trainingen_certificaten": "certificaat",
    "trainingen_ideeen": "idee",
    "trainingen_bibliotheek": "bieb",
    "werkplaats_deelnames": "werkplaats",
    "werkplaats_oefenlogboeken": "oefen",
    "werkplaats_casuistiek": "casus",
    "werkplaats_rugdekking": "rugdekking",
    "verkenning_verkenningen": "verkenning",
    "verkenning_gesprekken": "gesprek",
    "signalen_meldingen": "signaal",
}
# Only with single sign-on installed.
OPTIONAL_KINDS = {"gekoppelde_accounts"}
# What the person wrote about themselves: gone after an approved request.
DELETED_MARKERS = ("pop", "reflectie", "akkoord", "oefen", "casus", "rugdekking", "netwerk")


def marker(tag: str, kind: str) -> str:
    return f"MARK-{tag}-{kind}"


@dataclass
class Shared:
    """The run, werkplaats and verkenning everybody in the world takes part in."""

    run: object
    werkplaats: object
    werkplaats_session: object
    group: object
    verkenning: object
    meldpunt: object
    contact: object
    granter: object


@dataclass
class Person:
    user: User
    tag: str
    signal: object = None
    extra: dict = field(default_factory=dict)


def shared_world() -> Shared:
    organisation, (contact,) = meldpunt("Gemeente Meldstad")
    werkplaats = WerkplaatsFactory(title="Gedeelde werkplaats")
    return Shared(
        run=past_run(title="Gedeelde training"),
        werkplaats=werkplaats,
        werkplaats_session=WerkplaatsSessionFactory(werkplaats=werkplaats),
        group=GroupFactory(werkplaats=werkplaats),
        verkenning=VerkenningFactory(title="Gedeelde verkenning", verkenners=[]),
        meldpunt=organisation,
        contact=contact,
        granter=beheerder(with_totp=False, full_name="Bea Beheer"),
    )


def _training_records(user, tag: str, run, suffix: str) -> None:
    now = timezone.now()
    enrolment = EnrolmentFactory(run=run, participant=user)
    session = run.sessions.first()
    Attendance.objects.create(enrolment=enrolment, session=session, status=AttendanceStatus.PRESENT)
    DevelopmentPlan.objects.create(enrolment=enrolment, content_goals=marker(tag, f"pop{suffix}"))
    Reflection.objects.create(
        enrolment=enrolment,
        session=session,
        struck_me=marker(tag, f"reflectie{suffix}"),
        will_apply="=HYPERLINK(1)",
    )
    episode = EnrolmentEpisode.objects.create(enrolment=enrolment, started_at=now)
    ManagerApproval.objects.create(
        episode=episode,
        manager_name=marker(tag, f"akkoord{suffix}"),
        manager_email=f"baas.{tag.lower()}{suffix}@leiding.example",
        token_hash=secrets.token_hex(32),
        token_expires_at=now + timedelta(days=7),
    )
    EvaluationRespondent.objects.create(run=run, participant=user)
    FollowupRespondent.objects.create(run=run, participant=user)
    Certificate.objects.create(
        enrolment=enrolment,
        code=secrets.token_hex(5).upper(),
        participant_name=user.full_name,
        training_title=marker(tag, f"certificaat{suffix}"),
        programme_name="Werkend leren",
        issuer_name="Programmabureau",
        run_starts_on=run.starts_at.date(),
        run_ends_on=run.ends_at.date(),
        issued_at=now,
    )


def _werkplaats_records(user, tag: str, werkplaats, session, group, suffix: str) -> None:
    participation = ParticipationFactory(werkplaats=werkplaats, user=user, group=group)
    PracticeLogFactory(
        participation=participation, after_session=session, tried=marker(tag, f"oefen{suffix}")
    )
    CaseSketch.objects.create(
        session=session,
        group=group,
        author=participation,
        title=marker(tag, f"casus{suffix}"),
        situation="Een pand met steeds wisselende bewoners.",
    )
    RugdekkingRequest.objects.create(
        participation=participation,
        manager_name="Leidinggevende",
        manager_email=f"rug.{tag.lower()}{suffix}@leiding.example",
        point=marker(tag, f"rugdekking{suffix}"),
        token_hash=secrets.token_hex(32),
        token_expires_at=timezone.now() + timedelta(days=7),
    )


def build_person(tag: str, shared: Shared) -> Person:
    """Someone with a marker in every kind of record, in their own and the shared places."""
    user = UserFactory(
        full_name=f"Zwaluw {tag} Klompenmaker",
        email=f"zwaluw.{tag.lower()}@voorbeeld.example",
        job_title=marker(tag, "functie"),
    )
    now = timezone.now()
    # portal
    LoginEventFactory(user=user, user_agent=marker(tag, "inlog"))
    LoginEventFactory(user=None, identifier=user.email, succeeded=False)
    PlannedReminder.objects.create(
        kind="portal.role_review_reminder",
        target_type=ContentType.objects.get_for_model(User),
        target_id=user.pk,
        recipient=user,
        recipient_email=user.email,
        due_at=now,
        status=ReminderStatus.SENT,
        sent_at=now,
        subject=marker(tag, "mail"),
        body=f"Hallo {user.full_name}",
    )
    MailPreference.objects.create(user=user, kind=DELETION_REQUESTED, delivery="digest")
    network_profile_update(user=user, findable=True, ask_me_about=marker(tag, "netwerk"))
    add_totp(user)
    role_grant(actor=shared.granter, user=user, role=Role.TRAINER)
    # trainings: their own run and the shared one
    run = past_run(title=marker(tag, "training"))
    _training_records(user, tag, run, "")
    _training_records(user, tag, shared.run, "-gedeeld")
    Idea.objects.create(
        programme=run.training.programme,
        proposer=user,
        title=marker(tag, "idee"),
        form=IdeaForm.LUNCHLEZING,
        content="Een lunchlezing over vastgoed.",
    )
    Resource.objects.create(
        programme=run.training.programme,
        kind=ResourceKind.LINK,
        title=marker(tag, "bieb"),
        description="Een handige link.",
        url="https://voorbeeld.example/",
        suggested_by=user,
    )
    # werkplaats
    werkplaats = WerkplaatsFactory(title=marker(tag, "werkplaats"))
    _werkplaats_records(
        user,
        tag,
        werkplaats,
        WerkplaatsSessionFactory(werkplaats=werkplaats),
        GroupFactory(werkplaats=werkplaats),
        "",
    )
    _werkplaats_records(
        user, tag, shared.werkplaats, shared.werkplaats_session, shared.group, "-gedeeld"
    )
    # verkenning
    verkenning = VerkenningFactory(title=marker(tag, "verkenning"), verkenners=[user])
    InterviewFactory(verkenning=verkenning, verkenner=user, notes=marker(tag, "gesprek"))
    shared.verkenning.verkenners.add(user)
    InterviewFactory(
        verkenning=shared.verkenning, verkenner=user, notes=marker(tag, "gesprek-gedeeld")
    )
    # signalen: a signal with an internal note and a question the reporter sees
    signal = signal_services.signal_create(
        reporter=user,
        organisation=shared.meldpunt,
        category=CategoryFactory(),
        description=marker(tag, "signaal"),
        location="Dorpsstraat 1",
    )
    signal_services.signal_assign(actor=shared.contact, signal=signal, assignee=shared.contact)
    signal_services.signal_add_note(actor=shared.contact, signal=signal, text=f"INTERN-{tag}")
    signal_services.signal_ask_reporter(
        actor=shared.contact, signal=signal, question=marker(tag, "signaal-vraag")
    )
    signal_services.signal_reporter_reply(
        reporter=user, signal=signal, text=marker(tag, "signaal-antwoord")
    )
    return Person(user=user, tag=tag, signal=signal)


@pytest.fixture
def world():
    shared = shared_world()
    people = [build_person(tag, shared) for tag in ("A", "B", "C")]
    erasure.deletion_request_create(requester=people[0].user)
    return shared, people


def read_zip(content: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}


def all_kind_names() -> set[str]:
    return {kind.name for section in personal_data.sections() for kind in section.kinds}


def test_the_world_covers_every_kind():
    installed = OPTIONAL_KINDS if apps.is_installed("allauth.socialaccount") else set()
    assert all_kind_names() - OPTIONAL_KINDS | installed == set(KIND_MARKERS) | installed


def test_every_foreign_key_to_the_user_is_declared_by_a_section():
    """A new foreign key to the user must get a rule: exported, erased or kept as pseudonym."""
    user_model = get_user_model()
    declared = personal_data.declared_rules()
    missing = []
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            if not (model_field.is_relation and model_field.concrete):
                continue
            if model_field.related_model is not user_model or model_field.auto_created:
                continue
            key = f"{model._meta.label}.{model_field.name}"
            if key not in declared:
                missing.append(key)
    assert missing == [], f"Declare these in a personal_data section: {missing}"


def test_download_holds_every_kind_of_the_person_and_nothing_of_others(client, world):
    shared, (person, *others) = world
    client.force_login(person.user)
    response = client.get(reverse("personal_data:download"))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert "no-store" in response["Cache-Control"]
    files = read_zip(response.content)

    for kind, suffix in KIND_MARKERS.items():
        data = json.loads(files[f"{kind}.json"])
        assert data, f"{kind} is empty"
        assert f"{kind}.csv" in files
        if suffix is not None:
            assert marker(person.tag, suffix) in files[f"{kind}.json"], kind
            assert marker(person.tag, suffix) in files[f"{kind}.csv"], kind
    assert "LEESMIJ.txt" in files
    for kind in KIND_MARKERS:
        assert f"{kind}.json" in files["LEESMIJ.txt"]
    # What the reporter sees of their signal (the question and their answer), not the
    # internal note, nor who handled it.
    signals = files["signalen_meldingen.json"]
    assert marker(person.tag, "signaal-vraag") in signals
    assert marker(person.tag, "signaal-antwoord") in signals
    everything = "\n".join(files.values())
    assert "INTERN-" not in everything
    assert shared.contact.full_name not in everything
    assert shared.contact.email not in everything
    for other in others:
        assert f"MARK-{other.tag}-" not in everything
        assert other.user.full_name not in everything
        assert other.user.email not in everything
    # Evaluations: that they answered, never what.
    assert len(json.loads(files["trainingen_evaluaties.json"])) == 4
    # A cell a spreadsheet would run as a formula is quoted in the CSV only.
    rows = list(csv.reader(io.StringIO(files["trainingen_reflecties.csv"]), delimiter=";"))
    assert "'=HYPERLINK(1)" in rows[1]
    assert "=HYPERLINK(1)" in files["trainingen_reflecties.json"]


def test_overview_shows_counts_in_a_constant_number_of_queries(client, world):
    shared, (person, *_others) = world
    client.force_login(person.user)
    url = reverse("personal_data:overview")
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        response = client.get(url)
    assert response.status_code == 200
    assert "Reflecties" in response.content.decode()
    # More of every list: another run, werkplaats and signal.
    _training_records(person.user, person.tag, past_run(title="Nog een"), "-2")
    werkplaats = WerkplaatsFactory()
    _werkplaats_records(
        person.user,
        person.tag,
        werkplaats,
        WerkplaatsSessionFactory(werkplaats=werkplaats),
        GroupFactory(werkplaats=werkplaats),
        "-2",
    )
    signal_services.signal_create(
        reporter=person.user,
        organisation=shared.meldpunt,
        category=CategoryFactory(),
        description="Nog een melding.",
    )
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few)
    assert len(few) <= 50


def rows_containing(needle: str) -> list[tuple[str, str]]:
    """Every (table, column) of a text, character or JSON column holding ``needle``."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() AND data_type IN "
            "('character varying', 'text', 'character', 'json', 'jsonb')"
        )
        columns = cursor.fetchall()
        hits = []
        for table, column in columns:
            cursor.execute(
                f'SELECT count(*) FROM "{table}" WHERE "{column}"::text ILIKE %s',
                [f"%{needle}%"],
            )
            if cursor.fetchone()[0]:
                hits.append((table, column))
    return hits


@pytest.fixture
def smtp(settings):
    sink = SmtpSink().start()
    sink.use_in(settings)
    yield sink
    sink.stop()


def test_approval_leaves_no_personal_data_and_the_audit_chain_verifies(
    world, smtp, django_capture_on_commit_callbacks
):
    shared, (person, *others) = world
    user = person.user
    name, address = user.full_name, user.email
    assert rows_containing(name) and rows_containing(address)  # the scan finds them before
    other_before = {o.tag: rows_containing(marker(o.tag, "reflectie")) for o in others}
    request = DeletionRequest.objects.get(requester=user)
    with django_capture_on_commit_callbacks(execute=True):
        erasure.deletion_request_approve(actor=shared.granter, deletion_request=request)

    # The person is told, at the address they had.
    assert address in smtp.handler.recipients()
    approved_mail = PlannedReminder.objects.get(kind=DELETION_APPROVED)
    assert approved_mail.status == ReminderStatus.SENT
    assert approved_mail.recipient_email == reminders.forgotten_address(approved_mail.pk)

    assert rows_containing(name) == []
    assert rows_containing(address) == []
    assert rows_containing(address.split("@")[0]) == []
    for suffix in DELETED_MARKERS:
        assert rows_containing(marker(person.tag, suffix)) == [], suffix
    # Others keep everything.
    for other in others:
        assert rows_containing(marker(other.tag, "reflectie")) == other_before[other.tag]
        assert Reflection.objects.filter(enrolment__participant=other.user).count() == 2

    user.refresh_from_db()
    assert is_pseudonym(user)
    assert user.full_name.startswith("verwijderd-")
    assert not user.is_active and not user.has_usable_password()
    assert not user.role_assignments.exists()
    # The signal stays with the meldpunt, without its reporter.
    person.signal.refresh_from_db()
    assert person.signal.reporter_id is None
    assert person.signal.description == marker(person.tag, "signaal")
    # Enrolments stay for the statistics, pointing at the pseudonym.
    assert user.enrolments.count() == 2
    report = audit.audit_chain_verify()
    assert report.ok, report
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.APPROVED
    assert request.erased_counts["trainingen_reflecties"] == 2


def test_decline_needs_a_reason_and_tells_the_person(
    world, smtp, django_capture_on_commit_callbacks
):
    shared, (person, *_others) = world
    request = DeletionRequest.objects.get(requester=person.user)
    with pytest.raises(ValidationError):
        erasure.deletion_request_decline(
            actor=shared.granter, deletion_request=request, reason="  "
        )
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.PENDING
    with django_capture_on_commit_callbacks(execute=True):
        erasure.deletion_request_decline(
            actor=shared.granter, deletion_request=request, reason="Lopend onderzoek."
        )
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.DECLINED
    assert person.user.email in smtp.handler.recipients()
    body = smtp.handler.messages[-1].get_content()
    assert "Lopend onderzoek." in body
    assert Reflection.objects.filter(enrolment__participant=person.user).count() == 2
    with pytest.raises(ValidationError):
        erasure.deletion_request_approve(actor=shared.granter, deletion_request=request)


def test_beheerders_are_told_and_reminded_before_the_deadline(settings, world):
    shared, (person, *_others) = world
    request = DeletionRequest.objects.get(requester=person.user)
    assert request.deadline - request.requested_at == timedelta(
        days=settings.AVG_DELETION_DEADLINE_DAYS
    )
    told = PlannedReminder.objects.filter(kind=DELETION_REQUESTED, target_id=request.pk)
    assert set(told.values_list("recipient", flat=True)) == {shared.granter.pk}
    reminder = PlannedReminder.objects.get(kind=DELETION_DEADLINE_NEAR, target_id=request.pk)
    assert reminder.due_at == request.deadline - timedelta(
        days=settings.AVG_DELETION_REMINDER_DAYS_BEFORE
    )
    message = reminders.renderer_for(DELETION_DEADLINE_NEAR)(reminder)
    assert person.user.full_name not in message.body  # the queue names them, not the mail
    erasure.deletion_request_decline(actor=shared.granter, deletion_request=request, reason="Nee.")
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.CANCELLED
    assert reminders.renderer_for(DELETION_DEADLINE_NEAR)(reminder) is None
    assert reminders.renderer_for(DELETION_DECLINED)(
        PlannedReminder.objects.get(kind=DELETION_DECLINED)
    )


def test_asking_twice_gives_one_request():
    person = UserFactory()
    first = erasure.deletion_request_create(requester=person)
    assert erasure.deletion_request_create(requester=person) == first
    assert DeletionRequest.objects.filter(requester=person).count() == 1


def test_a_beheerder_cannot_decide_on_their_own_request_and_others_cannot_decide():
    own = beheerder(with_totp=False)
    beheerder(with_totp=False)
    request = erasure.deletion_request_create(requester=own)
    with pytest.raises(PermissionDenied):
        erasure.deletion_request_approve(actor=own, deletion_request=request)
    with pytest.raises(PermissionDenied):
        erasure.deletion_request_approve(actor=UserFactory(), deletion_request=request)
    with pytest.raises(PermissionDenied):
        erasure.deletion_request_decline(actor=UserFactory(), deletion_request=request, reason="x")
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.PENDING


def test_request_page_needs_the_confirmation(client):
    person = UserFactory()
    client.force_login(person)
    url = reverse("personal_data:request_deletion")
    response = client.post(url, {})
    assert response.status_code == 400
    assert "Vink aan" in response.content.decode()
    assert not DeletionRequest.objects.exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert DeletionRequest.objects.filter(requester=person, status="pending").count() == 1
    page = client.get(reverse("personal_data:overview")).content.decode()
    assert "uiterlijk" in page


def test_beheer_queue_and_decision_pages(client):
    boss = beheerder()
    person = UserFactory(full_name="Wachtende Wim")
    request = erasure.deletion_request_create(requester=person)
    DeletionRequest.objects.filter(pk=request.pk).update(
        deadline=timezone.now() - timedelta(days=1)
    )
    force_login_with_mfa(client, boss)
    page = client.get(reverse("personal_data:beheer_list")).content.decode()
    assert "Wachtende Wim" in page
    assert "termijn verstreken" in page
    url = reverse("personal_data:beheer_decide", args=[request.pk])
    # Bad input: no decision, or a decline without reason; nothing is written.
    assert client.post(url, {}).status_code == 400
    response = client.post(url, {"decision": "decline", "reason": ""})
    assert response.status_code == 400
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.PENDING
    response = client.post(url, {"decision": "approve"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.APPROVED
    # Decided: no form any more, a second post is refused.
    assert client.post(url, {"decision": "approve"}).status_code == 403


def test_beheer_queue_is_for_beheerders_only(client):
    request = erasure.deletion_request_create(requester=UserFactory())
    client.force_login(UserFactory())
    assert client.get(reverse("personal_data:beheer_list")).status_code in (403, 404)
    url = reverse("personal_data:beheer_decide", args=[request.pk])
    assert client.post(url, {"decision": "approve"}).status_code in (403, 404)
    request.refresh_from_db()
    assert request.status == DeletionRequest.Status.PENDING


def test_beheer_queue_query_count_is_constant(client, django_assert_max_num_queries):
    boss = beheerder()
    force_login_with_mfa(client, boss)
    url = reverse("personal_data:beheer_list")
    for _ in range(2):
        erasure.deletion_request_create(requester=UserFactory())
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(8):
        erasure.deletion_request_create(requester=UserFactory())
    with CaptureQueriesContext(connection) as more:
        client.get(url)
    assert len(more) == len(few) <= 15


def test_pages_require_login(client):
    for name in ("overview", "download", "request_deletion"):
        response = client.get(reverse(f"personal_data:{name}"))
        assert response.status_code == 302
        assert "login" in response["Location"]


NEWS = "tests.personal_data_news"


@reminders.register(NEWS)
def render_news(reminder):
    return reminders.ReminderMessage(subject="Nieuws", body="Hallo")


def test_mail_planned_later_to_an_erased_account_is_skipped(mailoutbox):
    boss = beheerder(with_totp=False)
    person = UserFactory()
    request = erasure.deletion_request_create(requester=person)
    erasure.deletion_request_approve(actor=boss, deletion_request=request)
    person.refresh_from_db()
    mailoutbox.clear()
    # E.g. a coordinator mails everyone enrolled in a run, the kept enrolment included.
    reminder = reminder_plan(kind=NEWS, target=boss, recipient=person, due_at=timezone.now())
    reminders_send(reminder_ids=[reminder.pk])
    reminder.refresh_from_db()
    assert reminder.status == ReminderStatus.SKIPPED
    assert mailoutbox == []
