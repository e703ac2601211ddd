"""Every URL pattern of the project, requested by every role: no confidential text reaches
anyone who is not entitled to it, in a page, a download, a CSV, an iCal feed or an e-mail.

A unique marker is planted in every free-text field of a signal (forwarded, with
attachments), an anonymous signal, a verkenning interview, a development plan, a reflection,
a practice log, a case sketch, a rugdekking request, an evaluation's open answer and a
samenwerkingsmeter's outcome (from 5 answers, for coordinators only), each with the roles
entitled to read it; the signals' references are watched the same way. The URL patterns come
from the resolver (namespaced includes and the admin included), and each parameter is filled
with the ids of the objects of its kind (or, for a parameter this test does not know, with
ids of every kind of object of the URL's app) and with the tokens found in the e-mails. A new
page is crawled without new code here; a pattern that cannot be filled fails the test,
listing it, unless it is named in ``NOT_CRAWLED`` or ``UNKNOWN_TOKENS_ONLY``.
"""

import re
import secrets
from collections import defaultdict
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group as AuthGroup
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.exceptions import Resolver404
from django.utils import timezone

from portal import erasure
from portal import services as portal_services
from portal.models import (
    DestructionRecord,
    Organisation,
    Programme,
    Role,
    RoleReviewLine,
    User,
)
from portal.tasks import dispatch_due_reminders
from signalen import services as signal_services
from signalen.attachments import prepare_attachment
from signalen.models import CloseReason
from tests.portal.factories import (
    UserFactory,
    add_totp,
    beheerder,
    coordinator,
    force_login_with_mfa,
    trainer,
)
from tests.signalen.factories import meldpunt, minimal_pdf, png_bytes, report
from tests.trainings.certificate_helpers import finished_run
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
    awareness_run,
)
from tests.verkenning.factories import ContactFactory, VerkenningFactory, ensure_question_bank
from tests.werkplaats.factories import (
    GroupFactory,
    OrganisationalActionFactory,
    ParticipationFactory,
    WerkplaatsFactory,
)
from tests.werkplaats.factories import (
    SessionFactory as WerkplaatsSessionFactory,
)
from trainings import codes
from trainings import selectors as training_selectors
from trainings import services as training_services
from trainings.models import (
    Attendance,
    AttendanceStatus,
    AwarenessExample,
    Certificate,
    DevelopmentPlan,
    Enrolment,
    EvaluationQuestion,
    LibraryTheme,
    Material,
    QuestionKind,
    Run,
    Session,
    Training,
    TrainingFormat,
)
from verkenning import services as verkenning_services
from verkenning.models import Contact, Interview, ObservationKind, Question, Theme, Verkenning
from werkplaats import services as werkplaats_services
from werkplaats.models import (
    CaseSketch,
    OrganisationalAction,
    PairingRule,
    Participation,
    Werkplaats,
)
from werkplaats.models import (
    Session as WerkplaatsSession,
)

pytestmark = pytest.mark.django_db(transaction=False)

PROJECT_APPS = ["portal", "trainings", "verkenning", "werkplaats", "signalen"]

# Patterns deliberately not crawled, with the reason.
NOT_CRAWLED = {
    # Redirects to the object's own page, which is crawled under its own pattern.
    "admin:view_on_site",
}

# String parameters no e-mail or object of the crawl holds a real value for: crawled with an
# unknown value only (what a guesser has). allauth's single-use keys go only to their owner.
UNKNOWN_TOKENS_ONLY = {
    ("account_confirm_email", "key"),
    ("account_reset_password_from_key", "uidb36"),
    ("account_reset_password_from_key", "key"),
    ("trainings:release", "token"),
    # An organisation's identity provider ("org-<id>"); the world sets none up.
    ("openid_connect_login", "provider_id"),
    ("openid_connect_callback", "provider_id"),
}

# Unnamed patterns cannot be reversed: only the admin's own redirect and catch-all are allowed,
# and allauth's old "social/…" addresses, which only redirect to the named "3rdparty/…" pages.
UNNAMED_ALLOWED = {
    "<path:object_id>/",
    "(?P<url>.*)$",
    "social/login/cancelled/",
    "social/login/error/",
    "social/signup/",
    "social/connections/",
}

# Integer parameters by name: the kinds of object whose ids fill them. Any other integer
# parameter gets the ids of every object of every kind of the URL's app.
PARAM_KINDS = {
    "run_id": [Run],
    "enrolment_id": [Enrolment],
    "session_id": [Session, WerkplaatsSession],
    "training_id": [Training],
    "programme_id": [Programme],
    "question_id": [EvaluationQuestion],
    "material_id": [Material],
    "certificate_id": [Certificate],
    "example_id": [AwarenessExample],
    "verkenning_id": [Verkenning],
    "contact_id": [Contact],
    "interview_id": [Interview],
    "theme_id": [Theme],
    "werkplaats_id": [Werkplaats],
    "participation_id": [Participation],
    "rule_id": [PairingRule],
    "sketch_id": [CaseSketch],
    "action_id": [OrganisationalAction],
    "user_pk": [User],
    "line_pk": [RoleReviewLine],
}

# The admin is for staff; other roles are tried on one object per admin page.
STAFF_ROLES = {"superuser", "staff"}

UNKNOWN = "onbekend0token"

MANAGER_EMAIL = "leiding@kruipstad.example"


def _role_of(people, address: str) -> str:
    """The crawl role an e-mail address belongs to: the manager without an account, or a
    stranger (an invited address, say), who is entitled to nothing."""
    for role, user in people.items():
        if user is not None and user.email == address:
            return role
    return "manager" if address == MANAGER_EMAIL else "stranger"


class Markers:
    """Unique strings, each with the roles entitled to read it."""

    def __init__(self):
        self.entitled: dict[str, frozenset[str]] = {}
        self.label: dict[str, str] = {}

    def new(self, label: str, entitled: set[str]) -> str:
        return self.add(f"ZQX{len(self.entitled):03d}{secrets.token_hex(3)}", label, entitled)

    def add(self, marker: str, label: str, entitled: set[str]) -> str:
        """Watch for a value the portal made itself (a signal's reference) as a marker too."""
        self.entitled[marker] = frozenset(entitled)
        self.label[marker] = label
        return marker

    def pattern(self) -> re.Pattern:
        return re.compile("|".join(re.escape(m) for m in sorted(self.entitled, key=len)[::-1]))


def _people():
    gemeente, (contact_own,) = meldpunt("Gemeente Kruipstad")
    riec, (contact_riec,) = meldpunt("RIEC Kruipstad", kind=Organisation.Kind.RIEC)
    elsewhere, (contact_other,) = meldpunt("Gemeente Elders")
    programme = ProgrammeFactory()
    prog_coordinator = coordinator(organisation=gemeente)
    programme.coordinators.add(prog_coordinator)
    other_programme = ProgrammeFactory()
    other_coordinator = coordinator(organisation=elsewhere)
    other_programme.coordinators.add(other_coordinator)
    superuser = UserFactory(is_staff=True, is_superuser=True, organisation=gemeente)
    staff = UserFactory(is_staff=True, organisation=gemeente)
    for person in (superuser, staff):
        add_totp(person)
    people = {
        "anonymous": None,
        "outsider": UserFactory(organisation=elsewhere),
        "other_trainer": trainer(organisation=elsewhere),
        "other_coordinator": other_coordinator,
        "contact_other": contact_other,
        "beheerder": beheerder(organisation=gemeente),
        "superuser": superuser,
        "staff": staff,
        "reporter": UserFactory(organisation=gemeente),
        "contact_own": contact_own,
        "contact_riec": contact_riec,
        "prog_coordinator": prog_coordinator,
        "run_trainer": trainer(organisation=gemeente),
        "learner": UserFactory(organisation=gemeente),
        "verkenner": trainer(organisation=gemeente),
        "facilitator": trainer(organisation=gemeente),
        "wp_participant": UserFactory(organisation=gemeente),
    }
    return people, programme, gemeente, riec


def _signals(people, markers, gemeente, riec):
    readers = {"reporter", "contact_own", "contact_riec"}
    triage = {"contact_own", "contact_riec"}
    own, reporter = people["contact_own"], people["reporter"]
    pdf_marker = markers.new("signal attachment content", readers)
    name_marker = markers.new("signal attachment name", readers)
    signal = report(
        organisation=gemeente,
        reporter=reporter,
        description=markers.new("signal description", readers),
        involved=markers.new("signal involved", readers),
        location=markers.new("signal location", readers),
        attachments=[
            prepare_attachment(SimpleUploadedFile("foto.png", png_bytes())),
            prepare_attachment(
                SimpleUploadedFile(
                    f"{name_marker}.pdf", minimal_pdf(extra=f"% {pdf_marker}\n".encode())
                )
            ),
        ],
    )
    markers.add(signal.reference, "signal reference", readers)
    signal_services.signal_assign(actor=own, signal=signal, assignee=own)
    signal_services.signal_add_note(
        actor=own, signal=signal, text=markers.new("signal note", triage)
    )
    signal_services.signal_ask_reporter(
        actor=own, signal=signal, question=markers.new("signal question", readers)
    )
    signal_services.signal_reporter_reply(
        reporter=reporter, signal=signal, text=markers.new("signal answer", readers)
    )
    signal_services.signal_share_feedback(
        actor=own, signal=signal, text=markers.new("signal feedback", readers)
    )
    signal_services.signal_forward(
        actor=own, signal=signal, organisation=riec, note=markers.new("forward note", triage)
    )
    anonymous_readers = {"reporter", "contact_own"}
    anonymous = report(
        organisation=gemeente,
        reporter=reporter,
        reporter_anonymous=True,
        description=markers.new("anonymous signal description", anonymous_readers),
        involved=markers.new("anonymous signal involved", anonymous_readers),
        location=markers.new("anonymous signal location", anonymous_readers),
    )
    markers.add(anonymous.reference, "anonymous signal reference", anonymous_readers)
    signal_services.signal_close(
        actor=own,
        signal=anonymous,
        reason=CloseReason.NO_GROUNDS,
        explanation=markers.new("close explanation", anonymous_readers),
        feedback=markers.new("close feedback", anonymous_readers),
    )
    return {pdf_marker}


def _verkenning(people, markers, programme, gemeente):
    ensure_question_bank()
    entitled = {"verkenner", "prog_coordinator"}
    verkenning = VerkenningFactory(
        programme=programme,
        organisation=gemeente,
        verkenners=[people["verkenner"]],
        title=markers.new("verkenning title", entitled),
        purpose=markers.new("verkenning purpose", entitled),
    )
    contact = ContactFactory(verkenning=verkenning, name=markers.new("contact name", entitled))
    verkenning_services.interview_record(
        verkenning=verkenning,
        verkenner=people["verkenner"],
        data=verkenning_services.InterviewInput(
            contact=contact,
            held_on=timezone.localdate() - timedelta(days=2),
            duration_minutes=60,
            notes=markers.new("interview notes", entitled),
            answers={
                Question.objects.filter(is_active=True).first(): markers.new(
                    "interview answer", entitled
                )
            },
            observations=[
                verkenning_services.ObservationInput(
                    kind=ObservationKind.ENERGY,
                    text=markers.new("observation", entitled),
                    themes=list(Theme.objects.filter(is_active=True)[:1]),
                )
            ],
        ),
    )


def _certificates(people, markers, programme):
    """A finished run the learner completed, whose certificate was revoked (the reason is for
    the programme's coordinators only), and a colleague whose certificate stands."""
    run = finished_run(sessions=2, training__programme=programme)
    _holds(run)
    run.trainers.add(people["run_trainer"])
    coordinator = people["prog_coordinator"]
    for person in (people["learner"], UserFactory(organisation=people["learner"].organisation)):
        enrolment = EnrolmentFactory(run=run, participant=person)
        for session in run.sessions.all():
            Attendance.objects.create(
                enrolment=enrolment, session=session, status=AttendanceStatus.PRESENT
            )
        DevelopmentPlan.objects.create(enrolment=enrolment, learned="Geleerd")
        own = training_selectors.own_enrolment_for_certificate(
            user=person, enrolment_id=enrolment.pk
        )
        certificate = training_services.certificate_get_or_issue(enrolment=own, participant=person)
    revoked = Certificate.objects.get(enrolment__participant=people["learner"])
    _holds(revoked, revoked.enrolment)
    training_services.certificate_revoke(
        certificate=revoked,
        actor=coordinator,
        reason=markers.new("certificate revocation reason", {"prog_coordinator"}),
    )
    return certificate


def _training(people, markers, programme):
    entitled = {"learner", "run_trainer", "prog_coordinator"}
    now = timezone.now()
    run = RunFactory(
        training__programme=programme,
        starts_at=now - timedelta(hours=2),
        ends_at=now + timedelta(hours=2),
        enrolment_opens_at=now - timedelta(days=10),
        enrolment_closes_at=now - timedelta(days=1),
    )
    run.trainers.add(people["run_trainer"])
    enrolment = EnrolmentFactory(run=run, participant=people["learner"])
    training_services.development_plan_save(
        enrolment=enrolment,
        author=people["learner"],
        content_goals=markers.new("plan content goals", entitled),
        personal_goals=markers.new("plan personal goals", entitled),
        learned=markers.new("plan learned", entitled),
        embedding=markers.new("plan embedding", entitled),
        needs=markers.new("plan needs", entitled),
    )
    training_services.reflection_save(
        enrolment=enrolment,
        session=run.sessions.first(),
        author=people["learner"],
        struck_me=markers.new("reflection struck me", entitled),
        will_apply=markers.new("reflection will apply", entitled),
    )
    training_services.calendar_feed_get_or_create(user=people["learner"])
    _certificates(people, markers, programme)
    # A training needing the manager's approval: the manager's answer link is mailed.
    training_services.enrolment_create(
        run=RunFactory(training__programme=programme, training__requires_manager_approval=True),
        participant=people["learner"],
        manager_name="Mevrouw Leiding",
        manager_email=MANAGER_EMAIL,
    )
    training_services.material_create(
        actor=people["prog_coordinator"],
        training=run.training,
        title="Handout",
        file=SimpleUploadedFile("handout.pdf", minimal_pdf()),
    )


def _evaluation(people, markers, programme):
    """A run ended ten weeks ago with 5 evaluations and 5 samenwerkingsmeters: enough for
    its coordinators to read the open answers (unattributed); trainers (allowed to see the
    figures) and participants never read them."""
    entitled = {"prog_coordinator"}
    ended = timezone.now() - timedelta(weeks=10)
    run = RunFactory(
        training__programme=programme,
        starts_at=ended - timedelta(hours=3),
        ends_at=ended,
        enrolment_opens_at=ended - timedelta(days=30),
        enrolment_closes_at=ended - timedelta(days=5),
    )
    run.trainers.add(people["run_trainer"])
    training_services.evaluation_settings_update(
        actor=people["prog_coordinator"],
        programme=programme,
        followup_weeks=8,
        trainers_see_aggregates=True,
    )
    respondents = [people["learner"], *(UserFactory() for _ in range(4))]
    questions = training_services.run_evaluation_open(run=run)
    for index, person in enumerate(respondents):
        EnrolmentFactory(run=run, participant=person)
        text = markers.new("evaluation open answer", entitled) if index == 1 else "Prima."
        training_services.evaluation_submit(
            participant=person,
            run=run,
            scores={q.pk: 4 for q in questions if q.kind == QuestionKind.SCALE},
            texts={q.pk: text for q in questions if q.kind == QuestionKind.OPEN},
        )
        training_services.followup_submit(
            participant=person,
            run=run,
            contacted=True,
            organisations=[run.training.provider],
            outcome=markers.new("followup outcome", entitled) if index == 2 else "",
        )


def _awareness(people, markers, programme):
    """A bewustwordingssessie held today: the groups' definitions and the anonymous examples
    are for the room only (its trainer and participants), not for the programme's
    coordinators, who see counts."""
    entitled = {"learner", "run_trainer"}
    run = awareness_run(
        training=TrainingFactory(programme=programme, format=TrainingFormat.AWARENESS)
    )
    run.trainers.add(people["run_trainer"])
    EnrolmentFactory(run=run, participant=people["learner"])
    session = run.sessions.get()
    _holds(run, session)
    training_services.awareness_definition_save(
        actor=people["run_trainer"],
        session=session,
        group=markers.new("awareness definition group", entitled),
        text=markers.new("awareness definition", entitled),
    )
    example = training_services.awareness_example_submit(
        participant=people["learner"],
        session=session,
        text=markers.new("awareness example", entitled),
        submission_key="crawl-voorbeeld-0000000001",
    )
    training_services.awareness_example_group(
        actor=people["run_trainer"], example=example, theme="vastgoed"
    )
    _holds(example)


def _werkplaats(people, markers, programme):
    entitled = {"wp_participant", "facilitator", "prog_coordinator"}
    werkplaats = WerkplaatsFactory(programme=programme, facilitators=[people["facilitator"]])
    group = GroupFactory(werkplaats=werkplaats)
    participation = ParticipationFactory(
        werkplaats=werkplaats, user=people["wp_participant"], group=group
    )
    werkplaats_services.pairing_rule_add(
        actor=people["facilitator"],
        werkplaats=werkplaats,
        kind=PairingRule.Kind.TOGETHER,
        first=participation,
        second=ParticipationFactory(werkplaats=werkplaats, group=group),
    )
    now = timezone.now()
    past = WerkplaatsSessionFactory(
        werkplaats=werkplaats,
        starts_at=now - timedelta(days=2),
        ends_at=now - timedelta(days=2) + timedelta(hours=3),
    )
    WerkplaatsSessionFactory(werkplaats=werkplaats, starts_at=now + timedelta(days=12))
    werkplaats_services.practice_log_save(
        user=people["wp_participant"],
        after_session=past,
        tried=markers.new("practice log tried", entitled),
        happened=markers.new("practice log happened", entitled),
        bring_next=markers.new("practice log bring next", entitled),
    )
    werkplaats_services.case_sketch_create(
        user=people["wp_participant"],
        session=past,
        title=markers.new("case sketch title", entitled),
        situation=markers.new("case sketch situation", entitled),
    )
    werkplaats_services.rugdekking_request_create(
        user=people["wp_participant"],
        werkplaats=werkplaats,
        manager_name="Mevrouw Leiding",
        manager_email=MANAGER_EMAIL,
        point=markers.new("rugdekking point", {*entitled, "manager"}),
    )
    OrganisationalActionFactory(werkplaats=werkplaats)


@pytest.fixture
def world():
    HOLDERS.clear()
    # The library's themes come from a data migration, which a transactional test before this
    # one may have flushed: the crawl makes sure its admin pages have an object.
    LibraryTheme.objects.get_or_create(name="Vastgoed")
    markers = Markers()
    people, programme, gemeente, riec = _people()
    _signals(people, markers, gemeente, riec)
    _verkenning(people, markers, programme, gemeente)
    _training(people, markers, programme)
    _awareness(people, markers, programme)
    _evaluation(people, markers, programme)
    _werkplaats(people, markers, programme)
    portal_services.role_review_open()
    # The learner is findable in the netwerk: their page and consent history are crawled.
    portal_services.network_profile_update(user=people["learner"], findable=True)
    portal_services.role_grant(actor=people["beheerder"], user=UserFactory(), role=Role.TRAINER)
    portal_services.invitation_create(
        invited_by=people["prog_coordinator"],
        email="nieuw@kruipstad.example",
        organisation=gemeente,
    )
    portal_services.login_event_record(
        user=people["reporter"],
        identifier=people["reporter"].email,
        succeeded=True,
        ip_address="192.0.2.10",
        user_agent="Crawler",
    )
    # A line in the destruction register (no marker: it never holds content).
    DestructionRecord.objects.create(
        run_at=timezone.now(),
        kind="portal.login_events",
        action="delete",
        count=1,
        period=180,
        unit="days",
        cutoff=timezone.now() - timedelta(days=180),
    )
    AuthGroup.objects.create(name="Crawlgroep")
    # A declined request to erase one's data (its reason is for the person and the
    # beheerders) and a pending one, so the beheerder's decision page is crawled with a form.
    declined = erasure.deletion_request_create(requester=people["learner"])
    erasure.deletion_request_decline(
        actor=people["beheerder"],
        deletion_request=declined,
        reason=markers.new("deletion request reason", {"learner", "beheerder"}),
    )
    erasure.deletion_request_create(requester=people["wp_participant"])
    mail.outbox.clear()
    # Every reminder the data planned, sent: the ones due now and those due within weeks.
    # Links in mails expire, so first what is due now, then what falls due later.
    while dispatch_due_reminders():
        pass
    with time_machine.travel(timezone.now() + timedelta(days=60), tick=False):
        while dispatch_due_reminders():
            pass
    return people, markers


def _own_params(pattern) -> list[str]:
    return list(getattr(pattern, "converters", {})) or list(pattern.regex.groupindex)


def _patterns(patterns=None, namespace=(), outer_params=()):
    # A parameter may sit in an including pattern (allauth's "oidc/<provider_id>/…").
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            inner = namespace + ((entry.namespace,) if entry.namespace else ())
            params = (*outer_params, *_own_params(entry.pattern))
            yield from _patterns(entry.url_patterns, inner, params)
        elif isinstance(entry, URLPattern):
            pattern = entry.pattern
            params = [*outer_params, *_own_params(pattern)]
            name = ":".join(namespace + (entry.name,)) if entry.name else None
            yield name, str(pattern), params, getattr(pattern, "converters", {})


# Objects that hold a marker, by model: their ids are always crawled, wherever they fall
# among the other objects of their kind.
HOLDERS: dict[type, set[int]] = defaultdict(set)


def _holds(*objects) -> None:
    for obj in objects:
        HOLDERS[type(obj)].add(obj.pk)


def _ids(models, per_model: int = 3) -> list[int]:
    """Ids of each model's objects: all of a few, else the first, a middle and the last, and
    always those holding a marker."""
    ids = set()
    for model in models:
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        if len(pks) > per_model:
            pks = [pks[0], pks[len(pks) // 2], pks[-1]] if per_model > 2 else [pks[0], pks[-1]]
        pks = [*pks, *HOLDERS.get(model, ())]
        # Only integer keys fill the URL patterns' ids (answers of questionnaires have UUIDs).
        ids.update(pk for pk in pks if isinstance(pk, int))
    return sorted(ids)


def _app_ids(app_label: str) -> list[int]:
    """For a parameter of unknown kind: the first and last id of every kind of object of the
    URL's app."""
    return _ids(apps.get_app_config(app_label).get_models(), per_model=2)


def _admin_model(name: str):
    if name.startswith("admin:auth_user_"):  # the portal's User under Django's UserAdmin
        return apps.get_model(settings.AUTH_USER_MODEL)
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}_"
        if name.startswith(prefix):
            return model
    return None


def _tokens_from_mail(people) -> dict[tuple[str, str], list[tuple[str, frozenset[str]]]]:
    """String parameters of the links in the e-mails, each acting as its recipients' roles."""
    found = defaultdict(list)
    base = settings.PORTAL_BASE_URL
    for message in mail.outbox:
        acting = frozenset(_role_of(people, address) for address in message.to)
        for link in re.findall(re.escape(base) + r"(/[^\s\"'<>]*)", message.body):
            try:
                match = resolve(urlsplit(link).path)
            except Resolver404:
                continue
            for param, value in match.kwargs.items():
                if isinstance(value, str):
                    found[(match.view_name, param)].append((value, acting))
    return found


def _candidates(people) -> tuple[list[tuple[str, str, frozenset[str], bool]], list[str]]:
    """(url, pattern name, roles the URL acts as, admin-only) for every fillable pattern."""
    tokens = _tokens_from_mail(people)
    feed_owner = people["learner"]
    tokens[("trainings:feed", "token")].append(
        (feed_owner.calendar_feed.token, frozenset({"learner"}))
    )
    # A certificate's code is printed on it and public: its page is for anyone.
    for code in Certificate.objects.values_list("code", flat=True):
        tokens[("certificates:verify", "code")].append((codes.grouped(code), frozenset()))
    urls, unfillable = [], []
    for name, route, params, converters in _patterns():
        if name is None:
            if route not in UNNAMED_ALLOWED:
                unfillable.append(f"unnamed pattern {route!r}")
            continue
        if name in NOT_CRAWLED:
            continue
        app_label = name.split(":")[0] if ":" in name else "portal"
        if app_label not in apps.app_configs:
            # A namespace that is not an app (personal_data) is the kernel's.
            app_label = "portal"
        choices: list[list[tuple[str, frozenset[str]]]] = []
        for param in params:
            converter = converters.get(param)
            is_int = converter is not None and converter.regex == "[0-9]+"
            if name.startswith("admin:") and param in {"object_id", "id"}:
                model = _admin_model(name)
                values = [(str(pk), frozenset()) for pk in _ids([model])] if model else []
            elif name.startswith("admin:") and param == "app_label":
                labels = {model._meta.app_label for model in admin.site._registry}
                values = [(label, frozenset()) for label in sorted(labels)]
            elif is_int:
                models = PARAM_KINDS.get(param)
                ids = _ids(models) if models else _app_ids(app_label)
                values = [(str(pk), frozenset()) for pk in ids]
            else:
                values = list(tokens.get((name, param), []))
                if not values and (name, param) not in UNKNOWN_TOKENS_ONLY:
                    unfillable.append(f"{name} ({route}): no value for {param!r}")
                    values = []
                values.append((UNKNOWN, frozenset()))
            if not values:
                unfillable.append(f"{name} ({route}): no object for {param!r}")
            choices.append([(param, value, acting) for value, acting in values])
        combos = [[]]
        for options in choices:
            combos = [combo + [option] for combo in combos for option in options]
        for combo in combos:
            kwargs = {param: value for param, value, _acting in combo}
            acting = frozenset().union(*(acting for _p, _v, acting in combo))
            try:
                url = reverse(name, kwargs=kwargs)
            except Exception as error:  # noqa: BLE001 - reported as unfillable below
                unfillable.append(f"{name}: {error}")
                continue
            urls.append((url, name, acting, name.startswith("admin:")))
    return urls, unfillable


def _body(response) -> str:
    if getattr(response, "streaming", False):
        data = b"".join(response.streaming_content)
    else:
        data = response.content
    return data.decode("latin-1")


def test_no_marker_reaches_a_role_not_entitled_to_it(world):
    people, markers = world
    marker_re = markers.pattern()
    leaks, errors, seen = [], [], set()

    for message in mail.outbox:
        text = f"{message.subject}\n{message.body}" + "".join(
            str(content) for content, _mime in getattr(message, "alternatives", [])
        )
        for marker in set(marker_re.findall(text)):
            for address in message.to:
                role = _role_of(people, address)
                seen.add(marker)
                if role not in markers.entitled[marker]:
                    leaks.append(f"mail {message.subject!r} to {role}: {markers.label[marker]}")

    urls, unfillable = _candidates(people)
    assert not unfillable, "URL patterns the crawl cannot fill:\n" + "\n".join(unfillable)

    pairs = 0
    for role, user in people.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            force_login_with_mfa(client, user)
        tried_admin_page = set()
        for url, name, acting, admin_only in urls:
            if admin_only and role not in STAFF_ROLES:
                # Non-staff roles: one object per admin page is enough to see it refused.
                if name in tried_admin_page:
                    continue
                tried_admin_page.add(name)
            response = client.get(url)
            pairs += 1
            if response.status_code >= 500:
                errors.append(f"{role} GET {url}: {response.status_code}")
                continue
            allowed = {role} | acting
            for marker in set(marker_re.findall(_body(response))):
                if markers.entitled[marker] & allowed:
                    seen.add(marker)
                else:
                    leaks.append(f"{role} GET {url} ({name}): {markers.label[marker]}")
            if user is not None and response.get("Location", "").startswith(
                reverse("account_login")
            ):
                force_login_with_mfa(client, user)  # a page logged the role out

    print(
        f"\nconfidentiality crawl: {pairs} URL x role pairs, {len(urls)} URLs, {len(people)} roles"
    )
    assert not errors, "Server errors:\n" + "\n".join(errors)
    assert not leaks, "Markers reached a role not entitled to them:\n" + "\n".join(sorted(leaks))
    # The crawl must see every marker somewhere it is allowed, or it would be blind to it.
    unseen = sorted(markers.label[m] for m in markers.entitled if m not in seen)
    assert not unseen, f"Markers the crawl never saw (blind spots): {unseen}"
