"""Retention: closed signals lose their personal data after the configured period."""

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone

from signalen import audit, services, tasks
from signalen.attachments import prepare_attachment
from signalen.models import AuditEntry, Signal, SignalAttachment
from tests.signalen.factories import meldpunt, png_bytes, report, signal_in

pytestmark = pytest.mark.django_db


def _closed_months_ago(contact, months: int, **kwargs) -> Signal:
    signal = report(
        organisation=contact.organisation,
        attachments=[prepare_attachment(SimpleUploadedFile("foto.png", png_bytes()))],
        **kwargs,
    )
    services.signal_assign(actor=contact, signal=signal, assignee=contact)
    services.signal_add_note(actor=contact, signal=signal, text="Notitie over Jan Jansen")
    signal = signal_in("closed", actor=contact, signal=signal)
    Signal.objects.filter(pk=signal.pk).update(
        closed_at=timezone.now() - timedelta(days=31 * months)
    )
    return Signal.objects.get(pk=signal.pk)


def _snapshot():
    return (
        list(Signal.objects.order_by("pk").values()),
        list(SignalAttachment.objects.order_by("pk").values()),
        AuditEntry.objects.count(),
    )


def test_dry_run_lists_the_expired_signals_and_changes_nothing(capsys):
    organisation, (contact,) = meldpunt()
    old = _closed_months_ago(contact, 13)
    before = _snapshot()
    files = sorted(Path(a.file.path) for a in SignalAttachment.objects.all())

    call_command("signalen_anonymise", "--dry-run")

    out = capsys.readouterr().out
    assert old.reference in out and "Zou anonimiseren: 1" in out
    assert _snapshot() == before
    assert all(path.exists() for path in files)


def test_expired_closed_signals_are_anonymised_and_keep_their_statistics(
    django_capture_on_commit_callbacks,
):
    organisation, (contact,) = meldpunt()
    old = _closed_months_ago(contact, 13, reporter_anonymous=True)
    recent = _closed_months_ago(contact, 6)
    open_signal = report(organisation=organisation)
    file_path = Path(SignalAttachment.objects.get(signal=old).file.path)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.anonymise_closed_signals() == 1

    old.refresh_from_db()
    assert old.anonymised_at is not None
    assert (old.description, old.location, old.involved, old.close_explanation) == ("", "", "", "")
    assert old.reporter is None
    assert not old.attachments.exists() and not file_path.exists()
    assert not old.events.exclude(text="").exists()
    assert old.events.filter(kind="anonymised").exists()
    # Kept for statistics: category, organisation, dates, outcome.
    assert old.category_id and old.close_reason == "no_grounds" and old.closed_at
    assert old.status == "closed"
    assert AuditEntry.objects.filter(action="signal.anonymise", object_id=old.pk).exists()
    assert audit.audit_chain_verify().ok
    # Not yet expired, or not closed: untouched.
    recent.refresh_from_db()
    open_signal.refresh_from_db()
    assert recent.anonymised_at is None and recent.description
    assert open_signal.anonymised_at is None
    # Running again does nothing.
    assert tasks.anonymise_closed_signals() == 0


def test_the_retention_period_is_configurable(settings):
    organisation, (contact,) = meldpunt()
    signal = _closed_months_ago(contact, 4)
    settings.SIGNALEN_RETENTION_MONTHS = 3
    assert services.signals_anonymise_expired() == [signal.reference]


def test_an_anonymised_signal_can_no_longer_be_changed():
    from django.core.exceptions import ValidationError

    organisation, (contact,) = meldpunt()
    signal = _closed_months_ago(contact, 13)
    services.signals_anonymise_expired()
    with pytest.raises(ValidationError):
        services.signal_add_note(actor=contact, signal=signal, text="x")
