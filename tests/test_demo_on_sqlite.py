"""`make demo` on a fresh machine: every migration, the demo seed, the dispatcher and the
pages on the embedded database (SQLite, no Redis), each step in a fresh interpreter with
nothing configured, as the README's first command runs them.

The rest of the suite runs on PostgreSQL, so a migration with PostgreSQL-only SQL would
otherwise only show on the first `make demo` of a newcomer.
"""

import subprocess
import sys

from tests.portal.test_settings import CLEAN_ENV, ROOT

PAGES = """
import django
django.setup()
from django.test import Client
from portal.models import User
from tests.portal.factories import force_login_with_mfa

pages = {
    "deelnemer@politie.example": ["/", "/trainingen/", "/trainingen/mijn/", "/netwerk/",
                                  "/netwerk/?rol=a", "/trainingen/bibliotheek/?q=ondermijning"],
    "contactpersoon@om.example": ["/", "/signalen/", "/signalen/?status=all&sort=category",
                                  "/signalen/?status=all&sort=deadline", "/signalen/dashboard/"],
}
shown = {}
for email, urls in pages.items():
    client = Client(HTTP_HOST="127.0.0.1")
    force_login_with_mfa(client, User.objects.get(email=email))
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, (email, url, response.status_code)
        shown[url] = response.content.decode()
# "Mijn trainingen" and the calendar month read their rows in SQL: rows on SQLite too.
assert "Certificaat downloaden" in shown["/trainingen/mijn/"]
client = Client(HTTP_HOST="127.0.0.1")
force_login_with_mfa(client, User.objects.get(email="coordinator@voorbeeldstad.example"))
from datetime import timedelta
from django.utils import timezone
months = [timezone.localdate() + timedelta(days=days) for days in (0, 31)]
calendars = [client.get(f"/trainingen/kalender/?maand={month:%Y-%m}") for month in months]
assert all(response.status_code == 200 for response in calendars)
assert any("/trainingen/uitvoeringen/" in r.content.decode() for r in calendars)
# The programme dashboard's page of runs, read in SQL: every page of every programme, of all
# providers and of each, as a coordinator opens them.
import re
from django.urls import reverse
from portal.models import Programme
rows = 0
for programme in Programme.objects.all():
    url = reverse("trainings:programme_dashboard_runs", args=[programme.pk])
    response = client.get(url, {"van": "2020-01-01", "tot": "2030-12-31"})
    assert response.status_code == 200, (url, response.status_code)
    page = response.content.decode()
    rows += page.count('<tr><th scope="row">')
    for provider in set(re.findall(r'<option value="([0-9]+)"', page)):
        query = {"van": "2020-01-01", "tot": "2030-12-31", "aanbieder": provider}
        assert client.get(url, query).status_code == 200, (url, provider)
    for link in re.findall(r'href="[?]([^"]*(?:na|voor)=[0-9]+)"', page):
        assert client.get(f"{url}?{link.replace('&amp;', '&')}").status_code == 200, link
assert rows, "no runs on the dashboard's pages"
# Whom the participant met and their programmes, read in SQL: the dates as aware datetimes.
from portal import network
met, programmes = network.acquaintances(User.objects.get(email="deelnemer@politie.example").pk)
assert met and programmes, (met, programmes)
assert all(m.when is None or m.when.tzinfo for ms in met.values() for m in ms), met
print("pages ok")
"""


def run(args, database, timeout=600):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **CLEAN_ENV,
            "DJANGO_SETTINGS_MODULE": "portal.settings.dev",
            "DATABASE_URL": f"sqlite:///{database}",
            "PORTAL_BASE_URL": "http://127.0.0.1:8000",
        },
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_the_demo_migrates_seeds_sends_and_serves_on_sqlite(tmp_path):
    database = tmp_path / "demo.sqlite3"
    for step in (["migrate", "--no-input"], ["seed_demo"], ["demo_dispatcher", "--rounds", "1"]):
        result = run(step, database)
        assert result.returncode == 0, f"{step}: {result.stderr[-3000:]}"
    result = run(["shell", "-c", PAGES], database)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "pages ok" in result.stdout
