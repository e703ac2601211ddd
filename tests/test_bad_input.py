"""Every form of the portal takes bad input without a server error or a partial write.

The URL patterns are enumerated from the resolver; each is opened for a set of roles with
every object id that fits its parameters, and every POST form a page renders is sent
empty, oversize, with NUL bytes, far-past and far-future dates, negative numbers, ids the
form does not offer (other organisations' objects) and lying files. A 500 fails the test,
also on the page an accepted POST redirects to and the page of the form (they read what
was stored), and so does any changed row count when the answer is a refusal (not a
redirect). A new page or form is covered without new test code.
"""

import dataclasses
from datetime import timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from portal import services as portal_services
from portal.models import Role
from tests.portal.factories import (
    OrganisationFactory,
    UserFactory,
    beheerder,
    coordinator,
    trainer,
)
from tests.signalen.factories import CategoryFactory, meldpunt, minimal_pdf, report
from tests.trainings.factories import (
    EnrolmentFactory,
    ProgrammeFactory,
    RunFactory,
    TrainingFactory,
    awareness_run,
)
from tests.verkenning.factories import (
    ContactFactory,
    InterviewFactory,
    VerkenningFactory,
    ensure_question_bank,
    theme,
)
from tests.werkplaats.factories import (
    GroupFactory,
    OrganisationalActionFactory,
    ParticipationFactory,
    SessionFactory,
    WerkplaatsFactory,
)
from trainings import services as training_services
from trainings.models import TrainingFormat
from werkplaats import services as werkplaats_services

pytestmark = pytest.mark.django_db

# Pages left out: the Django admin (its own forms, guarded by its own tests) and logging out,
# which would end the session the rest of the sweep needs.
SKIPPED_PREFIXES = ("admin/",)
SKIPPED_NAMES = {"account_logout", "set_language"}
# Tables a refused request may legitimately write: the audit trail records refused actions,
# login attempts are recorded, and sessions are the client's own.
WRITES_ON_REFUSAL = {"signalen_auditentry", "portal_loginevent", "django_session"}
# Actions that take something away run last, so the forms before them find their objects.
DESTRUCTIVE = ("remove", "revoke", "cancel", "close", "delete", "deactivate", "toggle")

OVERSIZE = "x" * 100_000
JPEG = bytes.fromhex("ffd8ffe000104a46494600010100000100010000ffd9")


# --- the URL patterns ----------------------------------------------------------------------


def _patterns(resolver=None, prefix: str = "", namespace: str = "", outer_params=()):
    """(route, name, parameter names) for every named URL pattern of the project."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            # A parameter may sit in the including pattern (allauth's "oidc/<provider_id>/…").
            params = (*outer_params, *entry.pattern.regex.groupindex)
            yield from _patterns(entry, prefix + str(entry.pattern), inner, params)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}:{entry.name}" if namespace else entry.name
            params = [*outer_params, *entry.pattern.regex.groupindex]
            yield prefix + str(entry.pattern), name, params


# --- the pages' forms ----------------------------------------------------------------------


@dataclasses.dataclass
class Field:
    name: str
    kind: str  # text, textarea, email, number, date, datetime-local, select, checkbox, file, ...
    value: str = ""
    options: list[str] = dataclasses.field(default_factory=list)
    multiple: bool = False


@dataclasses.dataclass
class PageForm:
    action: str
    multipart: bool
    fields: dict[str, Field] = dataclasses.field(default_factory=dict)


class _Forms(HTMLParser):
    """The POST forms on a page, with their fields, values and offered options."""

    def __init__(self, url: str):
        super().__init__()
        self.url = url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            if (attrs.get("method") or "get").lower() == "post":
                multipart = attrs.get("enctype") == "multipart/form-data"
                self._form = PageForm(attrs.get("action") or self.url, multipart)
                self.forms.append(self._form)
            return
        if tag == "option" and self._select is not None:
            value = attrs.get("value") or ""
            self._select.options.append(value)
            if "selected" in attrs:
                self._select.value = value
            return
        if self._form is None or not attrs.get("name"):
            return
        name = attrs["name"]
        fields = self._form.fields
        if tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "reset", "image"):
                return
            if kind in ("checkbox", "radio"):
                field = fields.setdefault(name, Field(name, kind, multiple=kind == "checkbox"))
                field.options.append(attrs.get("value") or "on")
                if "checked" in attrs:
                    field.value = attrs.get("value") or "on"
            else:
                fields[name] = Field(name, kind, attrs.get("value") or "")
        elif tag == "textarea":
            self._textarea = fields[name] = Field(name, "textarea")
        elif tag == "select":
            self._select = fields[name] = Field(name, "select", multiple="multiple" in attrs)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea.value += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


def _page_forms(url: str, page: str) -> list[PageForm]:
    parser = _Forms(url)
    parser.feed(page)
    return [form for form in parser.forms if _visible_fields(form)]


def _visible_fields(form: PageForm) -> list[Field]:
    return [f for f in form.fields.values() if f.kind != "hidden"]


# --- the inputs ----------------------------------------------------------------------------


def _plausible(field: Field) -> str | list[str]:
    """A value most forms accept, so that a refusal is about the bad input under test."""
    today = timezone.localdate()
    if field.kind in ("checkbox", "radio", "select"):
        real = [option for option in field.options if option]
        if field.value:
            return [field.value] if field.multiple else field.value
        if not real:
            return []
        return [real[0]] if field.multiple else real[0]
    return {
        "email": field.value or "iemand@voorbeeld.example",
        "number": field.value or "2",
        "date": (today - timedelta(days=1)).isoformat(),
        "datetime-local": (timezone.localtime() + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M"),
        "url": "https://www.riec.nl/",
        "password": "",
        "file": "",
        "hidden": field.value,
    }.get(field.kind, field.value or "Tekst")


def _is_text(field: Field) -> bool:
    return field.kind in ("text", "textarea", "email", "url", "search", "tel", "password")


def _other_id(field: Field, pool: list[int]) -> str | None:
    """An id of some object that the form does not offer (another organisation's)."""
    offered = set(field.options)
    for pk in pool:
        if str(pk) not in offered:
            return str(pk)
    return None


def _variants(form: PageForm, pool: list[int]):
    """(label, data, files) for each kind of bad input this form has fields for."""
    base = {name: _plausible(field) for name, field in form.fields.items()}
    hidden = {n: f.value for n, f in form.fields.items() if f.kind == "hidden"}
    fields = _visible_fields(form)

    def changed(**by_kind):
        data = dict(base)
        for field in fields:
            for kinds, value in by_kind.items():
                if field.kind in kinds.split("__"):
                    data[field.name] = value(field) if callable(value) else value
        return data

    yield "empty", dict(hidden), {}
    if any(_is_text(f) for f in fields):
        texts = {f.name: OVERSIZE for f in fields if _is_text(f)}
        yield "oversize", {**base, **texts}, {}
        yield "nul", {**base, **{f.name: "a\x00b" for f in fields if _is_text(f)}}, {}
    dated = [f for f in fields if f.kind in ("date", "datetime-local")]
    if dated:
        # Each later field a day later, so a start-before-end check does not hide the date.
        for label, year, first_day in (("far-past", "0001", 1), ("far-future", "9999", 20)):
            data = dict(base)
            for offset, field in enumerate(dated):
                day = f"{year}-{12 if year == '9999' else 1:02d}-{first_day + offset:02d}"
                data[field.name] = day if field.kind == "date" else f"{day}T00:00"
            yield label, data, {}
    if any(f.kind == "number" for f in fields):
        yield "negative", changed(number="-1"), {}
        yield "huge-negative", changed(number="-99999999999999999999"), {}
    choices = [f for f in fields if f.kind in ("select", "checkbox", "radio") and f.options]
    if choices:
        data = dict(base)
        for field in choices:
            other = _other_id(field, pool)
            if other is not None:
                data[field.name] = [other] if field.multiple else other
        yield "other-ids", data, {}
    file_fields = [f for f in fields if f.kind == "file"]
    if file_fields:
        for label, name, content in (
            ("png-with-pdf-bytes", "foto.png", minimal_pdf()),
            ("pdf-with-jpeg-bytes", "rapport.pdf", JPEG),
        ):
            files = {f.name: SimpleUploadedFile(name, content) for f in file_fields}
            yield label, dict(base), files


# --- the world -----------------------------------------------------------------------------


def _world():
    """Every role with the objects its pages need; returns (roles, ids per parameter, pool)."""
    ensure_question_bank()
    organisation, (contact,) = meldpunt("Gemeente Eigenstad")
    other_organisation, (other_contact,) = meldpunt("Gemeente Anderstad")
    participant = UserFactory(organisation=organisation)
    boss = coordinator(organisation=organisation)
    teacher = trainer(organisation=organisation)
    admin = beheerder()
    programme = ProgrammeFactory()
    programme.coordinators.add(boss)

    run = RunFactory(training__programme=programme)
    run.trainers.add(teacher)
    enrolment = EnrolmentFactory(run=run, participant=participant)
    material = training_services.material_create(
        actor=boss, training=run.training, title="Handout", url="https://www.riec.nl/"
    )
    # A bewustwordingssessie held today, so its room's forms are open.
    awareness = awareness_run(
        training=TrainingFactory(programme=programme, format=TrainingFormat.AWARENESS)
    )
    awareness.trainers.add(teacher)
    EnrolmentFactory(run=awareness, participant=participant)
    awareness_session = awareness.sessions.get()
    example = training_services.awareness_example_submit(
        participant=participant,
        session=awareness_session,
        text="Een pand waar 's nachts licht brandt.",
        submission_key="bad-input-voorbeeld-0001",
    )

    werkplaats = WerkplaatsFactory(facilitators=[teacher], organisation=organisation)
    group = GroupFactory(werkplaats=werkplaats)
    mine = ParticipationFactory(werkplaats=werkplaats, user=participant, group=group)
    other = ParticipationFactory(werkplaats=werkplaats, group=group)
    rule = werkplaats_services.pairing_rule_add(
        actor=teacher, werkplaats=werkplaats, kind="apart", first=mine, second=other
    )
    werkplaats_session = SessionFactory(werkplaats=werkplaats)
    sketch = werkplaats_services.case_sketch_create(
        user=participant, session=werkplaats_session, title="Loods", situation="Altijd dicht."
    )
    action = OrganisationalActionFactory(werkplaats=werkplaats)

    verkenning = VerkenningFactory(verkenners=[teacher], programme=programme)
    person = ContactFactory(verkenning=verkenning)
    interview = InterviewFactory(verkenning=verkenning, contact=person, verkenner=teacher)
    a_theme = theme("Vastgoed")

    signal = report(reporter=participant, organisation=organisation, category=CategoryFactory())
    other_signal = report(organisation=other_organisation)
    invitation, _token = portal_services.invitation_create(
        invited_by=admin, email="nieuw@elders.example", organisation=organisation
    )
    assignment = portal_services.role_assign(user=UserFactory(), role=Role.TRAINER)
    review = portal_services.role_review_open()

    # Objects of another organisation, a programme not coordinated, a werkplaats not shared.
    foreign = [
        other_signal.pk,
        other_organisation.pk,
        other_contact.pk,
        WerkplaatsFactory().pk,
        VerkenningFactory().pk,
        RunFactory().pk,
        OrganisationFactory().pk,
        999_999,
    ]
    roles = {
        "anonymous": None,
        "participant": participant,
        "trainer": teacher,
        "coordinator": boss,
        "contact": contact,
        "beheerder": admin,
    }
    ids = {
        "run_id": [run.pk],
        "training_id": [run.training.pk],
        "session_id": [run.sessions.first().pk, werkplaats_session.pk, awareness_session.pk],
        "example_id": [example.pk],
        "material_id": [material.pk],
        "enrolment_id": [enrolment.pk],
        "werkplaats_id": [werkplaats.pk],
        "participation_id": [other.pk],
        "rule_id": [rule.pk],
        "sketch_id": [sketch.pk],
        "action_id": [action.pk],
        "verkenning_id": [verkenning.pk],
        "contact_id": [person.pk],
        "interview_id": [interview.pk],
        "theme_id": [a_theme.pk],
        "user_pk": [boss.pk],
        "pk": [
            signal.pk,
            organisation.pk,
            programme.pk,
            invitation.pk,
            assignment.pk,
            review.pk,
        ],
    }
    return roles, ids, foreign


def _urls(ids: dict[str, list[int]]):
    """Every URL of the project with each combination of fitting ids, by pattern name."""
    for route, name, params in _patterns():
        if route.startswith(SKIPPED_PREFIXES) or name in SKIPPED_NAMES:
            continue
        if any(param not in ids for param in params):
            continue  # a token or key no test object can supply
        combos = [{}]
        for param in params:
            combos = [{**combo, param: pk} for combo in combos for pk in ids[param]]
        for kwargs in combos:
            yield name, reverse(name, kwargs=kwargs)


def _row_counts() -> dict[str, int]:
    tables = sorted(
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    )
    tables = [table for table in dict.fromkeys(tables) if table not in WRITES_ON_REFUSAL]
    sql = "SELECT " + ", ".join(
        f"(SELECT count(*) FROM {connection.ops.quote_name(table)})" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# --- the test ------------------------------------------------------------------------------


def test_every_form_takes_bad_input_without_a_500_or_a_partial_write(capsys):
    roles, ids, foreign = _world()
    clients = {}
    for role, user in roles.items():
        client = Client(raise_request_exception=False)
        if user is not None:
            client.force_login(user)
        clients[role] = client

    # Find every form once: (page name, form action, its field names) with the first role
    # that is shown it.
    found: dict[tuple, tuple[str, str, PageForm]] = {}
    for _name, url in _urls(ids):
        for role, client in clients.items():
            response = client.get(url)
            assert response.status_code != 500, f"GET {url} as {role}"
            if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
                continue
            for form in _page_forms(url, response.content.decode()):
                if resolve(urlsplit(form.action).path).view_name in SKIPPED_NAMES:
                    continue
                signature = (form.action, tuple(sorted(form.fields)))
                found.setdefault(signature, (role, url, form))

    forms = sorted(found.values(), key=lambda item: any(w in item[2].action for w in DESTRUCTIVE))
    failures, pairs = [], 0
    for role, url, form in forms:
        for label, data, files in _variants(form, foreign):
            pairs += 1
            before = _row_counts()
            response = clients[role].post(form.action, {**data, **files})
            where = f"{label} → {form.action} (form on {url}) as {role}"
            if response.status_code >= 500:
                failures.append(f"HTTP {response.status_code}: {where}")
            elif response.status_code in (301, 302, 303):
                # Accepted: the pages that read what was stored must still open.
                for page in (response["Location"], url):
                    if clients[role].get(page).status_code >= 500:
                        failures.append(f"HTTP 500 on {page} after: {where}")
            else:
                after = _row_counts()
                changed = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
                if changed:
                    failures.append(f"partial write {changed}: {where}")

    with capsys.disabled():
        print(f"\nbad-input sweep: {len(forms)} forms, {pairs} form × input pairs")
    assert len(forms) >= 30
    assert not failures, "\n".join(failures)
