"""Certificates: the PDF, the public verification page, revocation and re-issue."""

from io import BytesIO

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from pypdf import PdfReader

from portal import throttle
from tests.portal.factories import UserFactory, coordinator, force_login_with_mfa
from tests.trainings.certificate_helpers import finished_run, participant_in
from tests.trainings.factories import coordinator_of
from trainings import codes, selectors, services
from trainings.models import Certificate
from trainings.views.certificates import GUESSES

pytestmark = pytest.mark.django_db


@pytest.fixture
def done():
    run = finished_run(sessions=3, training__title="Hoe werkt de Belastingdienst?")
    return participant_in(run, present=3, full_name="Fenna de Vries-Ökmen")


def _download(client, enrolment):
    return client.get(f"/trainingen/inschrijvingen/{enrolment.pk}/certificaat.pdf")


def _text(response) -> str:
    return " ".join(page.extract_text() for page in PdfReader(BytesIO(response.content)).pages)


def _issue(enrolment) -> Certificate:
    enrolment = selectors.own_enrolment_for_certificate(
        user=enrolment.participant, enrolment_id=enrolment.pk
    )
    return services.certificate_get_or_issue(enrolment=enrolment, participant=enrolment.participant)


def test_the_participant_downloads_a_pdf_with_name_title_code_and_address(client, done):
    client.force_login(done.participant)
    response = _download(client, done)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "no-store" in response["Cache-Control"]
    certificate = Certificate.objects.get(enrolment=done)
    grouped = codes.grouped(certificate.code)
    text = _text(response)
    assert "Fenna de Vries-Ökmen" in text
    assert "Hoe werkt de Belastingdienst?" in text
    assert grouped in text
    assert f"{settings.PORTAL_BASE_URL}/certificaat/{grouped}/" in text
    assert "Certificaat van deelname" in text
    assert certificate.issuer_name == done.run.training.provider.name
    assert certificate.issuer_name in text
    # A second download is the same certificate.
    again = _download(client, done)
    assert Certificate.objects.filter(enrolment=done).count() == 1
    assert grouped in _text(again)


def test_the_pdf_follows_the_users_language(client, done):
    client.force_login(done.participant)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    text = _text(_download(client, done))
    assert "Certificate of participation" in text
    assert "Certificaat van deelname" not in text


def test_someone_elses_or_a_guessed_enrolment_is_a_404(client, done):
    client.force_login(UserFactory())
    assert _download(client, done).status_code == 404
    client.force_login(done.participant)
    assert client.get("/trainingen/inschrijvingen/999999/certificaat.pdf").status_code == 404
    assert not Certificate.objects.exists()


def test_no_certificate_before_completion(client):
    run = finished_run(sessions=3)
    enrolment = participant_in(run, present=2, learned="")
    client.force_login(enrolment.participant)
    response = _download(client, enrolment)
    assert response.status_code == 302
    assert not Certificate.objects.exists()


def test_the_download_reads_a_bounded_number_of_queries(
    client, done, django_assert_max_num_queries
):
    client.force_login(done.participant)
    _download(client, done)
    with django_assert_max_num_queries(12):
        assert _download(client, done).status_code == 200


def test_the_verification_page_shows_name_training_dates_issuer_and_nothing_else(client, done):
    done.participant.email = "fenna.geheim@belasting.example"
    done.participant.save()
    certificate = _issue(done)
    url = f"/certificaat/{codes.grouped(certificate.code)}/"
    response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Dit certificaat is echt" in page
    assert certificate.participant_name in page
    assert certificate.training_title in page
    assert certificate.issuer_name in page
    assert response["X-Robots-Tag"].startswith("noindex")
    assert '<meta name="robots" content="noindex' in page
    assert "fenna.geheim" not in page
    assert done.participant.organisation.name not in page
    assert "Veel over de fiscus" not in page
    assert "Aanwezig" not in page


@pytest.mark.parametrize("variant", [str.lower, lambda c: c.replace("-", ""), lambda c: f" {c} "])
def test_a_code_typed_in_another_form_finds_the_certificate(client, done, variant):
    certificate = _issue(done)
    grouped = codes.grouped(certificate.code)
    response = client.get("/certificaat/", {"code": variant(grouped)})
    assert response.status_code == 302 and response["Location"] == f"/certificaat/{grouped}/"
    response = client.get(f"/certificaat/{variant(grouped).strip()}/", follow=True)
    assert response.status_code == 200
    assert certificate.participant_name in response.content.decode()


def test_a_revoked_certificate_says_so_with_its_date(client, done):
    certificate = _issue(done)
    boss = coordinator_of(done.run.training.programme)
    services.certificate_revoke(
        certificate=certificate, actor=boss, reason="Aanwezigheid klopte niet"
    )
    page = client.get(f"/certificaat/{codes.grouped(certificate.code)}/").content.decode()
    assert "ingetrokken" in page
    assert "Dit certificaat is echt" not in page
    assert "Aanwezigheid klopte niet" not in page


def test_an_unknown_code_is_a_clear_404(client, done):
    _issue(done)
    response = client.get("/certificaat/AAAA-AAAA-AA/")
    assert response.status_code == 404
    assert "Er is geen certificaat met deze code" in response.content.decode()
    assert client.get("/certificaat/not-a-code!/").status_code == 404
    form = client.get("/certificaat/", {"code": "abc"})
    assert form.status_code == 200
    assert "Dit is geen geldige code" in form.content.decode()


def test_guessing_is_throttled_per_client_and_real_codes_are_then_refused_too(client, done):
    certificate = _issue(done)
    for attempt in range(GUESSES.max_misses):
        code = f"AAAA-AAAA-{codes.ALPHABET[attempt]}{codes.ALPHABET[attempt]}"
        assert client.get(f"/certificaat/{code}/").status_code == 404
    assert client.get(f"/certificaat/{codes.grouped(certificate.code)}/").status_code == 429
    other = client.get(f"/certificaat/{codes.grouped(certificate.code)}/", REMOTE_ADDR="10.9.8.7")
    assert other.status_code == 200
    assert throttle.guesses_exhausted(limit=GUESSES, address="127.0.0.1")


def test_the_verification_page_answers_in_a_fixed_number_of_queries(
    client, done, django_assert_max_num_queries
):
    certificate = _issue(done)
    with django_assert_max_num_queries(1):
        client.get(f"/certificaat/{codes.grouped(certificate.code)}/")


def test_only_the_programmes_coordinators_revoke_and_reissue(done):
    certificate = _issue(done)
    outsider = coordinator(with_totp=False)
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(certificate=certificate, actor=outsider, reason="x")
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(certificate=certificate, actor=done.participant, reason="x")
    boss = coordinator_of(done.run.training.programme)
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, actor=boss, reason="  ")
    services.certificate_revoke(certificate=certificate, actor=boss, reason="Foutje")
    with pytest.raises(ValidationError):
        services.certificate_revoke(certificate=certificate, actor=boss, reason="Nogmaals")
    # The participant cannot get a new one by downloading again.
    with pytest.raises(ValidationError):
        _issue(done)
    enrolment = selectors.managed_enrolment(user=boss, enrolment_id=done.pk)
    with pytest.raises(PermissionDenied):
        services.certificate_reissue(enrolment=enrolment, actor=outsider)
    fresh = services.certificate_reissue(enrolment=enrolment, actor=boss)
    assert fresh.code != certificate.code and fresh.issued_by == boss
    with pytest.raises(ValidationError):
        services.certificate_reissue(enrolment=enrolment, actor=boss)
    assert _issue(done) == fresh


def test_one_valid_certificate_per_enrolment_is_a_database_rule(done):
    certificate = _issue(done)
    certificate.pk = None
    certificate.code = codes.new_code()
    with pytest.raises(IntegrityError), transaction.atomic():
        certificate.save()


def test_a_rule_changed_after_issue_keeps_the_certificate(client, done):
    certificate = _issue(done)
    training = done.run.training
    training.min_attendance_percent = 100
    training.end_review_required = True
    training.save()
    done.development_plan.learned = ""
    done.development_plan.save()
    page = client.get(f"/certificaat/{codes.grouped(certificate.code)}/").content.decode()
    assert "Dit certificaat is echt" in page


def test_the_coordinator_revokes_and_reissues_from_the_register(client, done):
    certificate = _issue(done)
    boss = coordinator()
    done.run.training.programme.coordinators.add(boss)
    force_login_with_mfa(client, boss)
    register = client.get(f"/trainingen/uitvoeringen/{done.run_id}/deelnemers/").content.decode()
    assert codes.grouped(certificate.code) in register
    url = f"/trainingen/beheer/certificaten/{certificate.pk}/intrekken/"
    assert client.post(url, {"reason": ""}).status_code == 200
    certificate.refresh_from_db()
    assert certificate.revoked_at is None
    response = client.post(url, {"reason": "Verkeerde uitvoering"})
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.revocation_reason == "Verkeerde uitvoering"
    client.post(f"/trainingen/beheer/inschrijvingen/{done.pk}/certificaat/")
    assert Certificate.objects.filter(enrolment=done, revoked_at__isnull=True).count() == 1
    # Another programme's coordinator gets a 404.
    stranger = coordinator()
    force_login_with_mfa(client, stranger)
    assert client.get(url).status_code == 404


def test_my_trainings_shows_the_download_with_bounded_queries(
    client, done, django_assert_max_num_queries
):
    for _ in range(3):
        participant_in(finished_run(sessions=2), present=2).delete()
    client.force_login(done.participant)
    with django_assert_max_num_queries(12):
        page = client.get("/trainingen/mijn/").content.decode()
    assert f"/trainingen/inschrijvingen/{done.pk}/certificaat.pdf" in page


def test_names_beyond_windows_1252_are_printed_not_boxed(client):
    run = finished_run(sessions=1)
    enrolment = participant_in(run, present=1, full_name="Łukasz Đorđević-Őry")
    client.force_login(enrolment.participant)
    text = _text(_download(client, enrolment))
    assert "Łukasz Đorđević-Ory" in text
    assert "■" not in text
