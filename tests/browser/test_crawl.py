"""Every page a demo role reaches by links from its home passes the same checks.

The crawl follows same-origin links (GET only) up to three clicks deep and, on each page,
fails on an axe violation (WCAG 2.0/2.1 A and AA), sideways scrolling at 320 px, a duplicate
id, template syntax in the rendered text or a 4xx/5xx answer. New pages are covered as soon
as a link leads to them: the test names no page except the home.
"""

from collections import deque
from dataclasses import dataclass, field
from io import StringIO
from urllib.parse import parse_qsl, urldefrag, urlsplit

import pytest
from django.core.management import call_command
from django.urls import Resolver404, resolve
from playwright.sync_api import expect

from demo.people import DEMO_PASSWORD
from demo.totp import current_totp_code, totp_secret_for
from tests.browser.axe import violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# One account per role, so no TOTP code is offered twice in one period.
ROLES = {
    "participant": ("deelnemer@voorbeeldstad.example", False),
    "trainer": ("trainer@politie.example", False),
    "coordinator": ("coordinator@voorbeeldstad.example", True),
    "contact person": ("contactpersoon@voorbeeldstad.example", True),
    "RIEC contact person": ("contactpersoon@riec.example", True),
    "beheerder": ("beheerder@voorbeeldstad.example", True),
}

MAX_DEPTH = 3

# Pages of one kind (one URL name, the same query parameters) look alike: check a few of each.
PER_KIND = 2

MAX_PAGES_PER_ROLE = 120

NARROW = {"width": 320, "height": 800}

WIDE = {"width": 1280, "height": 900}

# Downloads, feeds and actions that end the session are not pages to check.
SKIPPED_URL_NAMES = {
    "account_logout",
    "trainings:feed",
    "trainings:run_csv",
    "trainings:programme_dashboard_export",
    "trainings:material",
    "trainings:certificate_download",
    "trainings:resource_download",
    "signalen:attachment",
    "verkenning:synthesis_export",
    "beheer_destruction_register_csv",
    "mfa_download_recovery_codes",
    "personal_data:download",
    "set_language",
}

PAGE_CHECKS = """() => {
    const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
    const duplicates = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    const text = document.body.innerText;
    const links = [...document.querySelectorAll('a[href]')].map(a => a.href);
    return {duplicates, templateText: /\\{[#%]/.test(text), links};
}"""


@dataclass
class Crawl:
    role: str
    base: str
    seen: set = field(default_factory=set)
    per_kind: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)
    pages: int = 0
    # Logged out: a link to a page behind the login is expected, not a problem.
    anonymous: bool = False

    def kind(self, url: str) -> str | None:
        """The URL name and query parameter names of a same-origin page worth visiting."""
        if not url.startswith(self.base + "/"):
            return None
        parts = urlsplit(url)
        if parts.path.startswith(("/static/", "/media/", "/admin/")):
            return None
        try:
            match = resolve(parts.path)
        except Resolver404:
            return "unresolved"
        if match.view_name in SKIPPED_URL_NAMES:
            return None
        return match.view_name + "?" + "&".join(sorted(k for k, _ in parse_qsl(parts.query)))

    def wants(self, url: str) -> bool:
        url = urldefrag(url).url
        if url in self.seen:
            return False
        kind = self.kind(url)
        if kind is None or self.per_kind.get(kind, 0) >= PER_KIND:
            return False
        self.seen.add(url)
        self.per_kind[kind] = self.per_kind.get(kind, 0) + 1
        return True

    def check(self, page, url: str) -> list[str]:
        """Visit ``url``, record what is wrong there, return the links it offers."""
        self.pages += 1
        path = url.removeprefix(self.base)
        # Loaded as on a phone first: a page must fit 320 px as it arrives.
        page.set_viewport_size(NARROW)
        response = page.goto(url)
        if response is None or response.status >= 400:
            self.problems.append(f"{path}: HTTP {response.status if response else '?'}")
            return []
        if urlsplit(page.url).path.startswith("/accounts/login") and not urlsplit(
            url
        ).path.startswith("/accounts/login"):
            if not self.anonymous:
                self.problems.append(f"{path}: sent back to the login page")
            return []
        width = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if width[0] > width[1]:
            self.problems.append(f"{path}: {width[0]} px wide at 320 px")
        page.set_viewport_size(WIDE)
        found = page.evaluate(PAGE_CHECKS)
        if found["duplicates"]:
            self.problems.append(f"{path}: duplicate ids {found['duplicates']}")
        if found["templateText"]:
            self.problems.append(f"{path}: template syntax in the rendered text")
        for violation in violations(page):
            self.problems.append(f"{path}: axe {violation['id']} {violation['nodes']}")
        return found["links"]

    def check_folded_menu(self, page):
        """At 320 px the home's header folds; opened, its menu passes axe too."""
        page.set_viewport_size(NARROW)
        page.goto(self.base + "/")
        page.get_by_role("button", name="Menu").click()
        expect(page.get_by_role("button", name="Menu")).to_have_attribute("aria-expanded", "true")
        for violation in violations(page):
            self.problems.append(f"/ (menu open at 320 px): axe {violation['id']}")

    def run(self, page, start: str = "/"):
        if not self.anonymous:
            self.check_folded_menu(page)
        queue = deque([(self.base + start, 0)])
        self.wants(self.base + start)
        while queue and self.pages < MAX_PAGES_PER_ROLE:
            url, depth = queue.popleft()
            for link in self.check(page, url):
                if depth < MAX_DEPTH and self.wants(link):
                    queue.append((urldefrag(link).url, depth + 1))


def _log_in(page, base, email, with_totp):
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    if with_totp:
        expect(page).to_have_url(f"{base}/accounts/2fa/authenticate/")
        page.get_by_label("Code").fill(current_totp_code(secret=totp_secret_for(email)))
        page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welkom")


@pytest.fixture(autouse=True)
def _private_attachment_root(settings, tmp_path):
    settings.SIGNALEN_ATTACHMENT_ROOT = tmp_path / "signalen-bijlagen"


def test_every_page_each_demo_role_reaches_passes_the_checks(
    live_server, new_context, settings, record_property
):
    settings.PORTAL_BASE_URL = live_server.url
    call_command("seed_demo", allow_production=True, stdout=StringIO())
    problems, pages = [], {}
    for role, (email, with_totp) in ROLES.items():
        page = new_context().new_page()
        _log_in(page, live_server.url, email, with_totp)
        crawl = Crawl(role=role, base=live_server.url)
        crawl.run(page)
        pages[role] = crawl.pages
        problems += [f"[{role}] {problem}" for problem in crawl.problems]
        page.context.close()
    record_property("pages_per_role", pages)
    print(f"pages crawled per role: {pages}")
    assert all(count > 5 for count in pages.values()), pages
    assert problems == [], "\n".join(problems)


def test_every_page_a_visitor_reaches_without_logging_in_passes_the_checks(
    live_server, new_context, settings
):
    """The login page and what its links lead to: the statements, certificate checking."""
    settings.PORTAL_BASE_URL = live_server.url
    page = new_context().new_page()
    crawl = Crawl(role="anonymous", base=live_server.url, anonymous=True)
    crawl.run(page, start="/accounts/login/")
    page.context.close()
    print(f"pages crawled anonymously: {crawl.pages}")
    kinds = set(crawl.per_kind)
    assert {"privacy_statement?", "accessibility_statement?"} <= kinds, kinds
    assert crawl.problems == [], "\n".join(crawl.problems)
