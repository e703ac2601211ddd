"""Every signalen URL, requested by every role: the status code each one must get."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver, reverse

from portal.models import Organisation
from signalen import services
from signalen.attachments import prepare_attachment
from signalen.models import SignalAttachment
from tests.portal.factories import (
    UserFactory,
    add_totp,
    coordinator,
    force_login_with_mfa,
    trainer,
)
from tests.signalen.factories import meldpunt, png_bytes, report

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "participant",
    "reporter",
    "trainer",
    "coordinator",
    "superuser",
    "contact_own",
    "contact_forwarded",
    "contact_other",
]
# Pages a role may open (200) on the signal; the rest of the signal pages give 404.
SIGNAL_READERS = {"contact_own", "contact_forwarded"}
TRIAGERS = {"contact_own", "contact_forwarded", "contact_other"}


@pytest.fixture
def world():
    gemeente, (contact_own,) = meldpunt()
    riec, (contact_forwarded,) = meldpunt(kind=Organisation.Kind.RIEC)
    other, (contact_other,) = meldpunt()
    reporter = UserFactory(organisation=gemeente)
    signal = report(
        organisation=gemeente,
        reporter=reporter,
        attachments=[prepare_attachment(SimpleUploadedFile("a.png", png_bytes()))],
    )
    services.signal_assign(actor=contact_own, signal=signal, assignee=contact_own)
    services.signal_ask_reporter(actor=contact_own, signal=signal, question="Wanneer?")
    # Forwarded: the RIEC now acts on it, the gemeente keeps reading access.
    services.signal_forward(actor=contact_own, signal=signal, organisation=riec)
    superuser = UserFactory(is_superuser=True, is_staff=True, organisation=gemeente)
    add_totp(superuser)
    users = {
        "anonymous": None,
        "participant": UserFactory(organisation=gemeente),
        "reporter": reporter,
        "trainer": trainer(organisation=gemeente),
        "coordinator": coordinator(organisation=gemeente),
        "superuser": superuser,
        "contact_own": contact_own,
        "contact_forwarded": contact_forwarded,
        "contact_other": contact_other,
    }
    attachment = SignalAttachment.objects.get(signal=signal)
    return signal, attachment, users


def _expected(name: str, role: str) -> int:
    if role == "anonymous":
        return 302  # to the login page
    if name in {"queue", "dashboard"}:
        return 200 if role in TRIAGERS else 403
    if name in {"report", "my_list"}:
        return 200
    if name == "my_detail":
        return 200 if role == "reporter" else 404
    if name == "my_reply":
        return 400 if role == "reporter" else 404  # an empty answer is refused
    if name in {"detail", "history", "attachment"}:
        return 200 if role in SIGNAL_READERS else 404
    # POST actions with empty input: refused by the form for whoever may act (the RIEC now),
    # forbidden for the organisation that sent it on (it keeps reading access only),
    # not found for everybody else.
    if role == "contact_forwarded":
        return 400
    if role == "contact_own":
        return 403
    return 404


def _url_names() -> list[str]:
    namespace = get_resolver().namespace_dict["signalen"][1]
    return sorted(name for name in namespace.reverse_dict if isinstance(name, str))


POST_ONLY = {"assign", "note", "ask", "feedback", "forward", "close", "my_reply"}


def test_the_walk_covers_every_signalen_url():
    assert set(_url_names()) == {
        "queue",
        "report",
        "my_list",
        "my_detail",
        "my_reply",
        "dashboard",
        "attachment",
        "detail",
        "history",
        "assign",
        "note",
        "ask",
        "feedback",
        "forward",
        "close",
    }


@pytest.mark.parametrize("role", ROLES)
def test_every_signalen_url_answers_each_role_as_expected(client, world, role):
    signal, attachment, users = world
    if users[role] is not None:
        force_login_with_mfa(client, users[role])
    results = {}
    for name in _url_names():
        if name in {"queue", "report", "my_list", "dashboard"}:
            url = reverse(f"signalen:{name}")
        elif name == "attachment":
            url = reverse("signalen:attachment", args=[attachment.pk])
        else:
            url = reverse(f"signalen:{name}", args=[signal.pk])
        response = client.post(url, {}) if name in POST_ONLY else client.get(url)
        results[name] = response.status_code
    expected = {name: _expected(name, role) for name in _url_names()}
    assert results == expected


@pytest.mark.parametrize("role", ["anonymous", "reporter", "contact_own", "contact_forwarded"])
def test_every_signalen_url_forbids_storing_the_response(client, world, role):
    """No browser or proxy keeps a copy of a signal page or download, whatever the answer."""
    signal, attachment, users = world
    if users[role] is not None:
        client.force_login(users[role])
    stored = {}
    for name in _url_names():
        if name in {"queue", "report", "my_list", "dashboard"}:
            url = reverse(f"signalen:{name}")
        elif name == "attachment":
            url = reverse("signalen:attachment", args=[attachment.pk])
        else:
            url = reverse(f"signalen:{name}", args=[signal.pk])
        for response in (client.get(url), client.post(url, {})):
            if "no-store" not in response.get("Cache-Control", ""):
                stored[(name, response.request["REQUEST_METHOD"])] = response.status_code
    assert stored == {}
