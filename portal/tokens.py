"""Secret links and where a request came from: one implementation for every app.

A link token is never stored; only its digest is. Tokens that a reminder must be able to
mail again are rebuilt from the row and the server secret (``rebuildable_token``), so the
database alone yields no usable link.
"""

import hashlib
import logging

from allauth.account.adapter import get_adapter
from django.utils.crypto import salted_hmac

logger = logging.getLogger(__name__)


def token_digest(token: str) -> str:
    """What is stored of a secret link token: its SHA-256 digest."""
    return hashlib.sha256(token.encode()).hexdigest()


def rebuildable_token(*, salt: str, value: str) -> str:
    """A token derived from ``value`` and SECRET_KEY: the same each time, unguessable without
    the secret. ``value`` must hold something that changes when the token must stop working."""
    return salted_hmac(salt, value, algorithm="sha256").hexdigest()


def client_ip(request) -> str | None:
    """The client's address, honouring ``TRUSTED_PROXY_COUNT``; None when unknown."""
    if request is None:
        return None
    try:
        return get_adapter(request).get_client_ip(request)
    except Exception:  # noqa: BLE001  (an unknown origin is recorded as unknown, never blocks)
        logger.warning("Could not determine the client address of a request")
        return None
