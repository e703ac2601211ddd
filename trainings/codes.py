"""Verification codes of certificates, without Django.

Ten characters from an alphabet without look-alikes (no 0/O, 1/I/L, 2/Z, 5/S, 8/B, U/V):
23 symbols, so 23**10 ≈ 4 × 10**13 codes; printed in groups as ``ABCD-EFGH-JK``. Whoever
types one may use any case, dashes, dots or spaces: ``normalise`` undoes them.
"""

import secrets

ALPHABET = "34679ACDEFGHJKMNPQRTWXY"
LENGTH = 10
GROUPS = (4, 4, 2)


def new_code() -> str:
    """A fresh random code, stored without dashes."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str | None:
    """The stored form of a typed code, or None when it cannot be one."""
    code = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(code) != LENGTH or any(ch not in ALPHABET for ch in code):
        return None
    return code


def grouped(code: str) -> str:
    """``ABCDEFGHJK`` → ``ABCD-EFGH-JK``, as printed and linked."""
    parts, start = [], 0
    for size in GROUPS:
        parts.append(code[start : start + size])
        start += size
    return "-".join(parts)
