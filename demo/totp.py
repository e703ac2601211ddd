"""TOTP codes for the demo accounts, so a visitor or a test can pass the second factor."""

import base64
import hashlib
import time

from allauth.mfa import app_settings as mfa_settings
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value


def totp_secret_for(email: str) -> str:
    """A fixed, per-user base32 secret so the printed demo secrets stay valid across seeds."""
    return base64.b32encode(hashlib.sha256(f"demo-totp:{email}".encode()).digest()[:20]).decode()


def current_totp_code(*, secret: str) -> str:
    """The code an authenticator app shows for ``secret`` right now."""
    counter = int(time.time()) // mfa_settings.TOTP_PERIOD
    return format_hotp_value(hotp_value(secret, counter))
