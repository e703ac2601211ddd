"""Where training materials live: outside MEDIA_ROOT, served only through the checked view."""

import os

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class MaterialStorage(FileSystemStorage):
    """Files without a public URL.

    The location is read from settings on every use (as signalen's attachment storage
    does), so tests and deployments can point it elsewhere after start-up.
    """

    @property
    def base_location(self):
        return self._value_or_setting(self._location, settings.TRAININGS_MATERIAL_ROOT)

    @property
    def location(self):
        return os.path.abspath(self.base_location)

    @property
    def base_url(self):
        return None

    def url(self, name):
        raise ValueError("Training materials have no public URL; use trainings:material.")


material_storage = MaterialStorage()
