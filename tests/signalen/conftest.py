import pytest


@pytest.fixture(autouse=True)
def _private_attachment_root(settings, tmp_path):
    """Attachments of each test go to a directory of their own."""
    settings.SIGNALEN_ATTACHMENT_ROOT = tmp_path / "signalen-bijlagen"
    yield settings.SIGNALEN_ATTACHMENT_ROOT


@pytest.fixture(autouse=True)
def _audit_anchor_file(settings, tmp_path):
    """Each test anchors the audit chain in a file of its own."""
    settings.AUDIT_ANCHOR_FILE = tmp_path / "audit" / "anchors.log"
    yield settings.AUDIT_ANCHOR_FILE
