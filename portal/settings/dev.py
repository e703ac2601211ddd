"""The embedded default: runs on a fresh machine with nothing configured."""

import os

os.environ.setdefault("DEBUG", "true")

from .base import *  # noqa: E402,F403
from .base import env  # noqa: E402

SECRET_KEY = env("SECRET_KEY", default="dev-only-insecure-key-change-me")
