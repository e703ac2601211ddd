import pytest


@pytest.fixture(autouse=True)
def _private_attachment_root(settings, tmp_path):
    """Attachments of each test go to a directory of their own."""
    settings.SIGNALEN_ATTACHMENT_ROOT = tmp_path / "signalen-bijlagen"
    yield settings.SIGNALEN_ATTACHMENT_ROOT
