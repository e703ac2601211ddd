"""Encryption at rest of the second-factor secrets allauth keeps in the database.

allauth stores a TOTP secret and a recovery-code seed in ``Authenticator.data`` and passes
each through the MFA adapter's ``encrypt``/``decrypt``. With these, a copy of the database
(a backup, a read-only role, the admin) holds no usable second factor: the key comes from
the environment (``MFA_ENCRYPTION_KEY``, a Fernet key). ``MFA_ENCRYPTION_OLD_KEYS`` still
decrypt during a key rotation; ``manage.py reencrypt_mfa_secrets`` moves every secret to the
current key.
"""

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PREFIX = "fernet:"
# The values in Authenticator.data that allauth encrypts: a TOTP secret, a recovery-code
# seed and the codes migrated from older packages.
_SECRET_FIELDS = ("secret", "seed")
_SECRET_LISTS = ("migrated_codes",)


def _keys() -> list[str]:
    current = settings.MFA_ENCRYPTION_KEY
    if not current:
        raise ImproperlyConfigured("MFA_ENCRYPTION_KEY must be set to encrypt MFA secrets.")
    return [current, *settings.MFA_ENCRYPTION_OLD_KEYS]


def _fernet() -> MultiFernet:
    try:
        return MultiFernet([Fernet(key) for key in _keys()])
    except ValueError as error:
        raise ImproperlyConfigured(
            "MFA_ENCRYPTION_KEY and MFA_ENCRYPTION_OLD_KEYS must be Fernet keys "
            "(32 url-safe base64-encoded bytes)."
        ) from error


def is_encrypted(value: str) -> bool:
    return value.startswith(PREFIX)


def encrypt(text: str) -> str:
    return PREFIX + _fernet().encrypt(text.encode()).decode()


def decrypt(stored: str) -> str:
    """The secret behind ``stored``; a value stored in plain text is refused, not used."""
    if not is_encrypted(stored):
        raise ImproperlyConfigured(
            "An MFA secret is stored unencrypted; run `manage.py reencrypt_mfa_secrets`."
        )
    try:
        return _fernet().decrypt(stored.removeprefix(PREFIX).encode()).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "An MFA secret does not decrypt with MFA_ENCRYPTION_KEY or MFA_ENCRYPTION_OLD_KEYS."
        ) from error


def reencrypt(stored: str) -> str:
    """``stored`` encrypted with the current key, whether it was plain text or an old key's."""
    if not is_encrypted(stored):
        return encrypt(stored)
    token = stored.removeprefix(PREFIX).encode()
    try:
        return PREFIX + _fernet().rotate(token).decode()
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "An MFA secret does not decrypt with MFA_ENCRYPTION_KEY or MFA_ENCRYPTION_OLD_KEYS."
        ) from error


def reencrypt_data(data: dict) -> dict:
    """A copy of an authenticator's ``data`` with every secret in it under the current key."""
    result = dict(data)
    for field in _SECRET_FIELDS:
        if isinstance(result.get(field), str):
            result[field] = reencrypt(result[field])
    for field in _SECRET_LISTS:
        if isinstance(result.get(field), list):
            result[field] = [reencrypt(value) for value in result[field]]
    return result
