"""Private file storage: files outside MEDIA_ROOT, without a URL, served only by checked views."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    """A storage whose root is the setting ``setting_name``, read on every use.

    Reading the setting late lets tests and deployments point it elsewhere after start-up.
    Asking for a URL is a programming error: these files are served only through a view
    that checks who asks (and, for signals, writes the audit row).
    """

    def __init__(self, *, setting_name: str, **kwargs):
        self.setting_name = setting_name
        super().__init__(**kwargs)

    @property
    def base_location(self):
        return self._value_or_setting(self._location, getattr(settings, self.setting_name))

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError(f"Files in {self.setting_name} have no public URL; serve them by a view.")
