"""Login throttling that slows a password guesser without locking the owner out.

Failed logins are counted per account *and* client address: after a few free mistakes each
further failure from that address doubles the wait before the next attempt from it, up to a
cap. The owner logging in from another address is not affected, and after waiting gets in
from the same one. A much higher count per account over all addresses slows a guesser who
spreads over many addresses the same way. allauth's own limit per address (any account,
``ACCOUNT_RATE_LIMITS["login_failed"]``) stays in front against spraying one password over
many accounts. A successful login clears the count for its account and address.

The counters live in Django's cache (Redis in production): throttling is not worth a
database write, and a counter lost with the cache only forgets some waiting.
"""

import hashlib
import ipaddress
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone


@dataclass(frozen=True)
class Backoff:
    free_failures: int
    first_delay: float
    max_delay: float

    def delay_after(self, failures: int) -> float:
        """Seconds to wait after ``failures`` consecutive failures."""
        if failures < self.free_failures:
            return 0.0
        return min(self.first_delay * 2 ** (failures - self.free_failures), self.max_delay)


# Per account and address: four free mistakes, then 15 s, 30 s, 1 min, ... up to 15 min.
PER_ADDRESS = Backoff(free_failures=4, first_delay=15, max_delay=15 * 60)
# Per account over all addresses: only a guesser using many addresses gets this far.
PER_ACCOUNT = Backoff(free_failures=50, first_delay=15, max_delay=15 * 60)
# A count is forgotten a day after its last failure.
FORGET_AFTER_SECONDS = 24 * 60 * 60


def _key(*parts: str) -> str:
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()
    return f"portal:login-throttle:{digest}"


def _address_group(address: str) -> str:
    """An IPv6 client holds a whole /64: count it as one address."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address
    if parsed.version == 6:
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False).network_address)
    return str(parsed)


def _keys(login: str, address: str) -> list[tuple[str, Backoff]]:
    login = login.strip().lower()
    return [
        (_key("address", login, _address_group(address)), PER_ADDRESS),
        (_key("account", login), PER_ACCOUNT),
    ]


def _now() -> float:
    return timezone.now().timestamp()


def seconds_to_wait(*, login: str, address: str) -> float:
    """How long this account must wait before another attempt from this address (0: go)."""
    now = _now()
    waits = [0.0]
    for key, backoff in _keys(login, address):
        state = cache.get(key)
        if state:
            ready_at = state["last"] + backoff.delay_after(state["failures"])
            waits.append(ready_at - now)
    return max(waits)


def login_failed(*, login: str, address: str) -> None:
    """Count a failed attempt for the account, from this address and overall."""
    now = _now()
    for key, _backoff in _keys(login, address):
        state = cache.get(key) or {"failures": 0}
        cache.set(
            key, {"failures": state["failures"] + 1, "last": now}, timeout=FORGET_AFTER_SECONDS
        )


def login_succeeded(*, login: str, address: str) -> None:
    """The owner got in from this address: forget its mistakes from there.

    The count over all addresses stays, so logging in with a second account of one's own
    cannot be used to reset a guessing run on someone else's.
    """
    key, _backoff = _keys(login, address)[0]
    cache.delete(key)


# --- guessing codes on public pages -----------------------------------------------------------
# A public page that looks something up by a short code (a certificate's verification code)
# counts the misses per client address: after ``max_misses`` within ``window_seconds`` the
# address is refused until the window has passed. Hits are not counted, so a checker who types
# real codes is never slowed.


@dataclass(frozen=True)
class GuessLimit:
    scope: str
    max_misses: int
    window_seconds: int


def _guess_key(limit: GuessLimit, address: str | None) -> str:
    return _key("guess", limit.scope, _address_group(address or "unknown"))


def guesses_exhausted(*, limit: GuessLimit, address: str | None) -> bool:
    """Whether this address used up its misses in the current window."""
    return (cache.get(_guess_key(limit, address)) or 0) >= limit.max_misses


def guess_missed(*, limit: GuessLimit, address: str | None) -> None:
    """Count a miss; the window starts at the first miss (atomic in Redis)."""
    key = _guess_key(limit, address)
    if not cache.add(key, 1, timeout=limit.window_seconds):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=limit.window_seconds)
