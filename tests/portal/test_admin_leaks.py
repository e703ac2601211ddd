"""The Django admin shows no signal content or metadata and no secrets, to superusers neither.

The crawl in tests/test_confidentiality_crawl.py requests every admin page with markers planted
everywhere; these pin the findings it was written for.
"""

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils.html import escape

from portal.admin import RelatedNotListedAdmin
from portal.models import PlannedReminder
from tests.portal.factories import UserFactory, add_totp, force_login_with_mfa
from tests.signalen.factories import meldpunt, report
from tests.verkenning.factories import VerkenningFactory

pytestmark = pytest.mark.django_db

PROJECT_APPS = {"portal", "trainings", "verkenning", "werkplaats", "signalen", "mfa"}


@pytest.fixture
def superuser_client(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    add_totp(superuser)
    force_login_with_mfa(client, superuser)
    return client


def test_reminder_admin_shows_when_and_to_whom_but_no_subject_text_or_target(superuser_client):
    organisation, _people = meldpunt()
    signal = report(organisation=organisation)
    reminders = PlannedReminder.objects.filter(kind__startswith="signalen.")
    assert reminders.exists()
    pages = [reverse("admin:portal_plannedreminder_changelist")] + [
        reverse("admin:portal_plannedreminder_change", args=[reminder.pk]) for reminder in reminders
    ]
    for page in pages:
        response = superuser_client.get(page)
        assert response.status_code == 200
        html = response.content.decode()
        assert signal.reference not in html
        assert signal.category.name not in html
        for reminder in reminders:
            if reminder.subject:
                assert reminder.subject not in html
            assert 'name="body"' not in html
            assert "target_id" not in html


def test_an_organisations_delete_page_does_not_list_its_signals_or_verkenningen(
    superuser_client,
):
    organisation, _people = meldpunt()
    signal = report(organisation=organisation)
    verkenning = VerkenningFactory(organisation=organisation, title="Vertrouwelijke verkenning")
    response = superuser_client.get(
        reverse("admin:portal_organisation_delete", args=[organisation.pk])
    )
    html = response.content.decode()
    assert signal.reference not in html
    assert verkenning.title not in html


def test_a_persons_delete_page_counts_related_objects_but_names_none(superuser_client):
    organisation, _people = meldpunt()
    signal = report(organisation=organisation)
    response = superuser_client.get(reverse("admin:portal_user_delete", args=[signal.reporter.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert signal.reference not in html
    assert escape(str(signal.reporter)) in html


def test_every_admin_counts_instead_of_listing_what_a_delete_takes_along():
    offenders = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in PROJECT_APPS
        and not isinstance(model_admin, RelatedNotListedAdmin)
    ]
    assert offenders == []
