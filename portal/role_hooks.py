"""What apps do when someone loses a role, without the kernel importing them.

A contact person who loses the role for an organisation must not stay the assignee of
that organisation's open signals, but ``portal`` must not import ``signalen``. So an app
registers a handler in its ``AppConfig.ready``; ``role_revoke`` calls every handler inside
its own transaction, so the revocation and what follows from it commit or roll back
together. Plain function calls, not Django signals: this is domain logic.
"""

from collections.abc import Callable
from typing import Any

# handler(*, actor, user, role, organisation) -> None
RoleRevokedHandler = Callable[..., None]

_handlers: dict[str, RoleRevokedHandler] = {}


def _qualified(handler: RoleRevokedHandler) -> str:
    return f"{handler.__module__}.{handler.__qualname__}"


def on_role_revoked(handler: RoleRevokedHandler) -> RoleRevokedHandler:
    """Call ``handler`` whenever a role is revoked; registering it again replaces it."""
    _handlers[_qualified(handler)] = handler
    return handler


def role_revoked(*, actor: Any, user: Any, role: str, organisation: Any) -> None:
    """Run every registered handler, in registration order; a failure rolls back the revocation."""
    for handler in list(_handlers.values()):
        handler(actor=actor, user=user, role=role, organisation=organisation)
