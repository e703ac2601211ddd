import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from portal import selectors, services, throttle
from portal.models import LoginEvent
from portal.tasks import purge_login_events
from tests.portal.factories import PASSWORD, LoginEventFactory, UserFactory

pytestmark = pytest.mark.django_db


def login(client, email, password, ip="203.0.113.7"):
    return client.post(
        reverse("account_login"),
        {"login": email, "password": password},
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT="TestBrowser/1.0",
    )


def test_successful_login_is_recorded_with_who_when_and_ip(client):
    user = UserFactory()
    before = timezone.now()
    assert login(client, user.email, PASSWORD).status_code == 302
    event = LoginEvent.objects.get()
    assert event.user == user
    assert event.succeeded
    assert event.ip_address == "203.0.113.7"
    assert event.user_agent == "TestBrowser/1.0"
    assert event.created_at >= before


def test_failed_login_is_recorded_and_linked_to_the_account(client):
    user = UserFactory()
    response = login(client, user.email.upper(), "fout-wachtwoord")
    assert response.status_code == 200
    event = LoginEvent.objects.get()
    assert not event.succeeded
    assert event.user == user
    assert event.identifier == user.email


def test_failed_login_for_unknown_address_is_recorded_without_user(client):
    login(client, "niemand@nergens.example", "wat-dan-ook")
    event = LoginEvent.objects.get()
    assert event.user is None
    assert event.identifier == "niemand@nergens.example"


def fail(client, user, times, ip="203.0.113.7"):
    for _ in range(times):
        assert (
            "_auth_user_id"
            not in login(client, user.email, "fout-wachtwoord", ip=ip).wsgi_request.session
        )


def test_an_address_guessing_a_password_is_slowed_down(client):
    user = UserFactory()
    fail(client, user, 5)
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert "Te veel inlogpogingen" in response.content.decode()


def test_the_owner_still_logs_in_from_another_address_while_one_address_guesses(client):
    # The finding: five wrong passwords from anywhere locked the owner out for five minutes.
    user = UserFactory()
    fail(client, user, 5, ip="198.51.100.66")
    response = login(client, user.email, PASSWORD, ip="203.0.113.7")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_after_waiting_the_owner_gets_in_from_the_same_address(client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(client, user, 5)
        assert login(client, user.email, PASSWORD).status_code == 200
        clock.shift(throttle.PER_ADDRESS.delay_after(5) + 1)
        assert login(client, user.email, PASSWORD).status_code == 302


def test_each_further_failure_from_an_address_doubles_the_wait_up_to_a_cap():
    backoff = throttle.PER_ADDRESS
    free = backoff.free_failures
    assert [backoff.delay_after(n) for n in range(free)] == [0] * free
    assert backoff.delay_after(free + 1) == 2 * backoff.delay_after(free) > 0
    assert backoff.delay_after(free + 100) == backoff.max_delay


def test_waiting_out_the_delay_and_failing_again_waits_longer(client):
    user = UserFactory()
    with time_machine.travel(timezone.now(), tick=False) as clock:
        fail(client, user, 5)
        first = throttle.seconds_to_wait(login=user.email, address="203.0.113.7")
        clock.shift(first + 1)
        fail(client, user, 1)
        assert throttle.seconds_to_wait(login=user.email, address="203.0.113.7") > first


def test_guessing_from_many_addresses_slows_the_account_down_much_later(client):
    user = UserFactory()
    free = throttle.PER_ACCOUNT.free_failures
    for n in range(free - 1):
        login(client, user.email, "fout-wachtwoord", ip=f"10.0.{n // 200}.{n % 200}")
    assert throttle.seconds_to_wait(login=user.email, address="203.0.113.7") == 0
    login(client, user.email, "fout-wachtwoord", ip="10.9.9.9")
    assert throttle.seconds_to_wait(login=user.email, address="203.0.113.7") > 0


def test_a_successful_login_forgets_the_mistakes_from_that_address(client):
    user = UserFactory()
    fail(client, user, 3)
    assert login(client, user.email, PASSWORD).status_code == 302
    client.logout()
    fail(client, user, 3)
    assert login(client, user.email, PASSWORD).status_code == 302


def test_failed_attempts_since_the_previous_login_show_on_the_home_page(client):
    user = UserFactory()
    login(client, user.email, PASSWORD)
    client.logout()
    login(client, user.email, "fout-1")
    login(client, user.email, "fout-2")
    login(client, user.email, PASSWORD)
    summary = selectors.login_summary(user=user)
    assert summary.failed_since_previous == 2
    page = client.get(reverse("home")).content.decode()
    assert "2 keer mislukt ingelogd" in page


def test_user_sees_only_their_own_login_history(client):
    user, other = UserFactory(), UserFactory()
    services.login_event_record(
        user=other,
        identifier=other.email,
        succeeded=False,
        ip_address="198.51.100.9",
        user_agent="x",
    )
    services.login_event_record(
        user=user, identifier=user.email, succeeded=True, ip_address="192.0.2.1", user_agent="x"
    )
    client.force_login(user)
    page = client.get(reverse("login_history")).content.decode()
    assert "192.0.2.1" in page
    assert "198.51.100.9" not in page


def test_purge_removes_only_login_records_past_retention(settings):
    settings.LOGIN_EVENT_RETENTION_DAYS = 30
    LoginEventFactory(days_ago=31)
    recent = LoginEventFactory(days_ago=29)
    assert purge_login_events.delay().get() == 1
    assert list(LoginEvent.objects.values_list("pk", flat=True)) == [recent.pk]
