"""Retention: one registry of rules, a dry run that agrees with the run, a register of counts."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal import retention, services
from portal.models import DestructionRecord
from portal.retention import TEXT_REMOVED
from tests.portal import retention_world as world
from tests.portal.factories import beheerder, coordinator, force_login_with_mfa
from trainings.models import DevelopmentPlan, EvaluationAnswer
from verkenning.models import Answer, Interview, Observation, Verkenning, VerkenningStatus

pytestmark = pytest.mark.django_db

KINDS = list(world.PLANTERS)
# Signals are anonymised one by one by their own service (it also removes their files).
SET_BASED_KINDS = [kind for kind in KINDS if kind != "signalen.signals"]


@pytest.fixture(autouse=True)
def _attachment_root(settings, tmp_path):
    settings.SIGNALEN_ATTACHMENT_ROOT = tmp_path / "bijlagen"


def _plant_around_cutoff(now):
    """Per kind: two rows just before the cutoff (due), one exactly at it and one after it."""
    for rule in retention.rules():
        cutoff = rule.cutoff(now)
        world.plant(rule.kind, cutoff - timedelta(seconds=1), f"GONE-{rule.kind}-1")
        world.plant(rule.kind, cutoff - timedelta(days=40), f"GONE-{rule.kind}-2")
        world.plant(rule.kind, cutoff, f"KEEP-{rule.kind}-at")
        world.plant(rule.kind, cutoff + timedelta(days=1), f"KEEP-{rule.kind}-after")


def _counts(outcomes):
    return {outcome.kind: outcome.count for outcome in outcomes}


def test_every_kind_of_training_data_is_registered():
    assert set(KINDS) == {rule.kind for rule in retention.rules()}
    for rule in retention.rules():
        assert rule.period > 0 and str(rule.label) and str(rule.anchor) and str(rule.effect)


def test_dry_run_and_run_agree_and_afterwards_nothing_is_due():
    now = world.now()
    _plant_around_cutoff(now)
    before = world.stored_text()

    preview = _counts(services.retention_run(dry_run=True, now=now))

    assert world.stored_text() == before
    assert not DestructionRecord.objects.exists()
    assert preview == dict.fromkeys(KINDS, 2)

    done = _counts(services.retention_run(now=now))

    assert done == preview
    assert _counts(services.retention_run(dry_run=True, now=now)) == dict.fromkeys(KINDS, 0)
    records = {record.kind: record.count for record in DestructionRecord.objects.all()}
    assert records == preview


def test_only_rows_before_the_cutoff_are_touched():
    now = world.now()
    _plant_around_cutoff(now)

    services.retention_run(now=now)

    text = world.stored_text()
    for kind in KINDS:
        assert f"GONE-{kind}-" not in text, kind
        assert f"KEEP-{kind}-at" in text, kind
        assert f"KEEP-{kind}-after" in text, kind


def test_running_twice_destroys_and_records_nothing_more():
    now = world.now()
    _plant_around_cutoff(now)
    services.retention_run(now=now)
    after_first = (world.stored_text(), list(DestructionRecord.objects.values()))

    assert _counts(services.retention_run(now=now)) == dict.fromkeys(KINDS, 0)

    assert (world.stored_text(), list(DestructionRecord.objects.values())) == after_first


def test_the_record_holds_counts_and_kinds_and_no_content():
    now = world.now()
    _plant_around_cutoff(now)
    services.retention_run(now=now)

    records = list(DestructionRecord.objects.values())
    assert len(records) == len(KINDS)
    assert {key for record in records for key in record} == {
        "id",
        "run_at",
        "kind",
        "action",
        "count",
        "period",
        "unit",
        "cutoff",
    }
    assert "GONE-" not in repr(records) and "KEEP-" not in repr(records)
    assert "@" not in repr(records)


def test_a_changed_setting_changes_what_is_due(settings):
    now = world.now()
    world.plant("trainings.reflections", now - timedelta(days=200), "GONE-recent")
    assert _counts(services.retention_run(dry_run=True, now=now))["trainings.reflections"] == 0

    settings.TRAININGS_REFLECTION_RETENTION_MONTHS = 6

    assert _counts(services.retention_run(dry_run=True, now=now))["trainings.reflections"] == 1


def test_plans_keep_that_the_look_back_was_answered_and_scores_stay():
    now = world.now()
    world.plant("trainings.plans", now - timedelta(days=800), "GONE-plan")
    world.plant("trainings.evaluation_texts", now - timedelta(days=1200), "GONE-answer")
    unanswered = DevelopmentPlan.objects.get()
    DevelopmentPlan.objects.filter(pk=unanswered.pk).update(learned="")
    world.plant("trainings.plans", now - timedelta(days=800), "GONE-plan-2")

    services.retention_run(now=now)

    learned = sorted(DevelopmentPlan.objects.values_list("learned", flat=True))
    assert learned == ["", TEXT_REMOVED]
    assert not DevelopmentPlan.objects.exclude(content_goals="").exists()
    assert list(EvaluationAnswer.objects.values_list("score", "text")) == [(4, "")]


def test_interviews_keep_who_and_when_and_themes_but_not_the_notes():
    now = world.now()
    world.plant("verkenning.interview_notes", now - timedelta(days=400), "GONE-interview")
    interview = Interview.objects.get()

    services.retention_run(now=now)

    interview.refresh_from_db()
    assert interview.notes == "" and interview.contact_id and interview.held_on
    assert not Answer.objects.exists()
    observation = Observation.objects.get()
    assert observation.text == TEXT_REMOVED and not observation.include_as_quote


def test_an_unfinished_verkenning_keeps_its_notes():
    now = world.now()
    world.plant("verkenning.interview_notes", now - timedelta(days=400), "KEEP-open")
    Verkenning.objects.update(status=VerkenningStatus.DESIGN)

    assert _counts(services.retention_run(now=now))["verkenning.interview_notes"] == 0
    assert "KEEP-open" in world.stored_text()


@pytest.mark.parametrize("kind", SET_BASED_KINDS)
def test_a_rule_takes_the_same_queries_for_one_row_or_many(kind, django_assert_num_queries):
    now = world.now()
    rule = retention.rules([kind])[0]
    anchor = rule.cutoff(now) - timedelta(days=1)
    world.plant(kind, anchor, "GONE-1")
    with CaptureQueriesContext(connection) as one:
        assert services.retention_rule_run(rule=rule, now=now).count == 1
    for n in range(5):
        world.plant(kind, anchor, f"GONE-many-{n}")

    with django_assert_num_queries(len(one)):
        assert services.retention_rule_run(rule=rule, now=now).count == 5
    assert len(one) <= 10


def test_command_dry_run_then_run_then_nothing_left():
    now = world.now()
    _plant_around_cutoff(now)
    out = StringIO()

    call_command("retention_run", "--dry-run", "--now", now.isoformat(), stdout=out)

    assert "trainings.reflections: 2" in out.getvalue()
    assert f"Dry run: would destroy {2 * len(KINDS)}." in out.getvalue()
    assert not DestructionRecord.objects.exists()

    call_command("retention_run", "--now", now.isoformat(), stdout=(out := StringIO()))
    assert f"destroyed {2 * len(KINDS)}." in out.getvalue()

    call_command("retention_run", "--dry-run", "--now", now.isoformat(), stdout=(out := StringIO()))
    assert "would destroy 0." in out.getvalue()


def test_command_runs_only_the_kinds_asked_for():
    now = world.now()
    _plant_around_cutoff(now)

    call_command(
        "retention_run",
        "--kind",
        "trainings.reflections",
        "--now",
        now.isoformat(),
        stdout=StringIO(),
    )

    assert list(DestructionRecord.objects.values_list("kind", "count")) == [
        ("trainings.reflections", 2)
    ]


def test_command_refuses_an_unknown_kind_and_a_bad_date():
    with pytest.raises(CommandError, match="onbekend"):
        call_command("retention_run", "--kind", "onbekend")
    with pytest.raises(CommandError):
        call_command("retention_run", "--now", "gisteren")
    assert not DestructionRecord.objects.exists()


def test_the_old_signalen_command_still_works():
    call_command("signalen_anonymise", "--dry-run", stdout=(out := StringIO()))
    assert "Zou anonimiseren: 0 signalen." in out.getvalue()


def test_the_periodic_run_is_in_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "portal.tasks.retention_run" in tasks
    # One run for every kind: the separate runs would destroy without a record.
    assert "signalen.tasks.anonymise_closed_signals" not in tasks
    assert "portal.tasks.purge_login_events" not in tasks


# --- the destruction register page ------------------------------------------------------------


def _register_with(count: int, now):
    for n in range(count):
        DestructionRecord.objects.create(
            run_at=now - timedelta(days=n),
            kind="trainings.reflections",
            action="delete",
            count=n + 1,
            period=24,
            unit="months",
            cutoff=now,
        )


@pytest.mark.parametrize("volume", [1, 30])
def test_beheerders_see_the_register_and_the_preview(client, volume, django_assert_max_num_queries):
    now = world.now()
    _register_with(volume, now)
    world.plant("trainings.reflections", now - timedelta(days=900), "GONE-shown")
    force_login_with_mfa(client, beheerder())
    client.get(reverse("beheer_destruction_register"))

    # The page's frame, one page of the register and per rule its count in a savepoint of
    # its own (three queries), at any volume.
    with django_assert_max_num_queries(8 + 3 * len(retention.rules())):
        response = client.get(reverse("beheer_destruction_register"))

    assert response.status_code == 200
    content = response.content.decode()
    assert "Reflecties op bijeenkomsten" in content and "Vernietigingsregister" in content
    assert "GONE-shown" not in content
    assert _counts(response.context["preview"])["trainings.reflections"] == 1
    assert DestructionRecord.objects.count() == volume


def test_the_register_exports_csv_for_the_archive(client):
    now = world.now()
    _register_with(3, now)
    force_login_with_mfa(client, beheerder())

    response = client.get(reverse("beheer_destruction_register_csv"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode("utf-8-sig").splitlines()
    assert len(lines) == 4
    assert lines[1].split(";")[1:5] == [
        "Reflecties op bijeenkomsten",
        "trainings.reflections",
        "delete",
        "1",
    ]


@pytest.mark.parametrize("name", ["beheer_destruction_register", "beheer_destruction_register_csv"])
def test_the_register_is_for_beheerders_only(client, name):
    force_login_with_mfa(client, coordinator())
    assert client.get(reverse(name)).status_code == 403
