"""When a login at an organisation's identity provider counts as a second factor.

Pure rules, no Django. The provider tells what happened at its login in the ID token:
``amr`` (authentication methods, RFC 8176) and ``acr`` (the level reached). The portal
skips its own TOTP only on an explicit assertion: an ``amr`` naming a second factor, or an
``acr`` the beheerder listed as accepted for that provider. Anything else (no claim, only a
password, an unknown level) keeps the portal's TOTP.
"""

from collections.abc import Iterable, Mapping

# The authentication record (allauth keeps them in the session) of a second factor asserted by
# the organisation's identity provider; the portal's own TOTP is recorded as "mfa".
IDP_MFA_METHOD = "idp_mfa"

# RFC 8176 methods that are, or prove, a factor beyond the password: "mfa" itself, a one-time
# code ("otp", "sms"), a hardware key ("hwk") or a smart card with its PIN ("sc"). A biometric
# or software key alone is one factor and does not count.
SECOND_FACTOR_AMR = frozenset({"mfa", "otp", "sms", "hwk", "sc"})


def asserted_amr(claims: Mapping) -> list[str]:
    value = claims.get("amr")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []


def provider_asserted_mfa(claims: Mapping, accepted_acr: Iterable[str]) -> bool:
    """Whether the ID token ``claims`` assert a second factor at the provider."""
    if SECOND_FACTOR_AMR.intersection(asserted_amr(claims)):
        return True
    acr = claims.get("acr")
    return isinstance(acr, str) and bool(acr) and acr in set(accepted_acr)


def email_domain(email: str) -> str:
    return email.rsplit("@", 1)[-1].strip().lower()
