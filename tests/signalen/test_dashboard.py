"""The dashboard: charts from vendored files, the same figures as a table, visible signals only."""

import json

import pytest
from django.urls import reverse

from portal import services as portal_services
from portal.models import Organisation, Role
from signalen import selectors, services
from tests.signalen.factories import CategoryFactory, meldpunt, report, signal_in

pytestmark = pytest.mark.django_db


def test_statistics_count_only_the_signals_the_viewer_may_see():
    gemeente, (contact,) = meldpunt()
    riec, (riec_contact,) = meldpunt(kind=Organisation.Kind.RIEC)
    drugs = CategoryFactory(name="Drugs", position=50)
    report(organisation=gemeente)
    signal_in("in_progress", actor=contact)
    forwarded = report(organisation=gemeente, category=drugs)
    services.signal_forward(actor=contact, signal=forwarded, organisation=riec)
    report(organisation=riec)

    stats = selectors.signal_statistics(user=riec_contact, organisation=riec)
    assert stats.total == 2
    assert dict(stats.per_category) == {"Vastgoed": 1, "Drugs": 1}
    assert dict(stats.open_per_status) == {"Nieuw": 1, "In behandeling": 0, "Doorgestuurd": 1}

    stats = selectors.signal_statistics(user=contact, organisation=gemeente)
    assert stats.total == 3
    assert stats.per_month[-1][1] == 3
    assert stats.average_pickup_hours is not None

    # Someone without access to the organisation's signals counts nothing.
    _other, (outsider,) = meldpunt()
    assert selectors.signal_statistics(user=outsider, organisation=gemeente).total == 0


def test_dashboard_page_has_charts_data_and_table_without_inline_script(
    client, django_assert_max_num_queries
):
    gemeente, (contact,) = meldpunt()
    report(organisation=gemeente)
    client.force_login(contact)
    client.get(reverse("signalen:dashboard"))
    with django_assert_max_num_queries(15):
        response = client.get(reverse("signalen:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "vendor/chartjs/chart.umd.min.js" in html
    assert "js/signalen_dashboard.js" in html
    assert '<script id="signalen-chart-data" type="application/json">' in html
    data = json.loads(html.split('type="application/json">')[1].split("</script>")[0])
    assert data["categories"]["values"] == [1]
    assert "<table" in html
    # No inline JavaScript: every other script tag loads a file.
    scripts = html.split("<script")[1:]
    assert all('src="' in tag.split(">")[0] or "application/json" in tag for tag in scripts)


def test_dashboard_of_an_organisation_i_do_not_serve_is_404(client):
    gemeente, (contact,) = meldpunt()
    other, _people = meldpunt()
    client.force_login(contact)
    assert client.get(reverse("signalen:dashboard"), {"organisatie": other.pk}).status_code == 404
    portal_services.role_assign(user=contact, role=Role.CONTACT_PERSON, organisation=other)
    assert client.get(reverse("signalen:dashboard"), {"organisatie": other.pk}).status_code == 200
