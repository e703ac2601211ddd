"""The kernel's section of "Mijn gegevens": the account, login records, mails, netwerk.

Registered by ``PortalConfig.ready`` with the highest ``order``, so its eraser runs after
every app's: it turns the user row into a pseudonym ("verwijderd-<random>") that keeps its
primary key. Rows that must stay (audit chain, role history, enrolments for statistics)
keep pointing at that key and so name nobody any more; the audit chain, whose digests
cover ``actor_id``, still verifies.
"""

import secrets

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import permissions, role_hooks
from .models import (
    DailyDigest,
    DeletionRequest,
    Invitation,
    LoginEvent,
    MailPreference,
    NetworkConsentEvent,
    NetworkProfile,
    PlannedReminder,
    Programme,
    RoleAssignment,
    RoleChange,
    SubmissionKey,
    User,
)
from .personal_data import Kind, Section, register

PSEUDONYM_DOMAIN = "verwijderd.invalid"
KEPT = _("blijft, wijst naar het pseudoniem")

KINDS = (
    Kind("profiel", _("Profiel"), _("Je naam, e-mailadres, organisatie en functiegegevens.")),
    Kind(
        "emailadressen",
        _("E-mailadressen"),
        _("De adressen van je account en of ze bevestigd zijn."),
    ),
    Kind(
        "tweede_factor",
        _("Tweede factor"),
        _("Welke tweede factoren je instelde en wanneer (zonder geheimen)."),
    ),
    Kind("rollen", _("Rollen"), _("De rollen die je nu hebt, zoals coördinator of beheerder.")),
    Kind(
        "rolwijzigingen",
        _("Rolwijzigingen"),
        _("Wanneer je een rol kreeg of verloor."),
    ),
    Kind(
        "inlogpogingen",
        _("Inlogpogingen"),
        _("Geslaagde en mislukte inlogpogingen op je account, met IP-adres en browser."),
    ),
    Kind(
        "emails",
        _("E-mails aan jou"),
        _(
            "De e-mails die het portaal je stuurde of nog gaat sturen: soort, onderwerp, tekst "
            "en wanneer. Een mail met een persoonlijke link bewaart het portaal zonder tekst."
        ),
    ),
    Kind(
        "emailvoorkeuren", _("E-mailvoorkeuren"), _("Welke e-mails je in een dagoverzicht krijgt.")
    ),
    Kind(
        "netwerkprofiel",
        _("Netwerkprofiel"),
        _("Of je vindbaar bent in het netwerk en wat je daar laat zien."),
    ),
    Kind(
        "netwerktoestemmingen",
        _("Netwerktoestemmingen"),
        _("Wanneer je toestemming gaf, wijzigde of introk, met de versie van de tekst."),
    ),
    Kind(
        "gekoppelde_accounts",
        _("Gekoppelde accounts"),
        _("Accounts bij een inlogdienst (single sign-on) die aan je account gekoppeld zijn."),
    ),
    Kind(
        "verwijderverzoeken",
        _("Verwijderverzoeken"),
        _("Je verzoeken om je gegevens te verwijderen en het besluit daarover."),
    ),
)

RULES = {
    "portal.RoleAssignment.user": _("verwijderd (de intrekking wordt vastgelegd)"),
    "portal.RoleChange.actor": KEPT,
    "portal.RoleChange.subject": KEPT,
    "portal.RoleReview.opened_by": KEPT,
    "portal.RoleReviewLine.user": KEPT,
    "portal.RoleReviewLine.decided_by": KEPT,
    "portal.Programme.coordinators": _("verwijderd uit de coördinatoren"),
    "portal.Invitation.invited_by": KEPT,
    "portal.LoginEvent.user": _("verwijderd, ook mislukte pogingen met het e-mailadres"),
    "portal.PlannedReminder.recipient": _(
        "verwijderd, ook mails aan het adres en mails die de naam of het adres noemen"
    ),
    "portal.MailPreference.user": _("verwijderd"),
    "portal.DailyDigest.user": _("verwijderd"),
    "portal.SubmissionKey.user": _("verwijderd"),
    "portal.NetworkProfile.user": _("verwijderd"),
    "portal.NetworkConsentEvent.user": _("verwijderd"),
    "portal.DeletionRequest.requester": KEPT,
    "portal.DeletionRequest.decided_by": KEPT,
    "account.EmailAddress.user": _("verwijderd"),
    "mfa.Authenticator.user": _("verwijderd"),
    "socialaccount.SocialAccount.user": _("verwijderd"),
    "admin.LogEntry.user": _("blijft; regels over de persoon krijgen het pseudoniem"),
}


def _social_accounts():
    """The SSO accounts model when single sign-on is installed, else None."""
    if not apps.is_installed("allauth.socialaccount"):
        return None
    return apps.get_model("socialaccount", "SocialAccount")


def export(user: User) -> dict[str, list[dict]]:
    """The account's own records, in a constant number of queries."""
    profile = NetworkProfile.objects.filter(user=user).first()
    social = _social_accounts()
    return {
        "profiel": [
            {
                "naam": user.full_name,
                "e-mailadres": user.email,
                "organisatie": user.organisation.name if user.organisation_id else "",
                "discipline": user.get_discipline_display(),
                "afdeling": user.department,
                "functie": user.job_title,
                "lid_sinds": user.date_joined,
                "laatst_ingelogd": user.last_login,
                "actief": user.is_active,
            }
        ],
        "emailadressen": list(
            EmailAddress.objects.filter(user=user)
            .order_by("pk")
            .values("email", "verified", "primary")
        ),
        "tweede_factor": [
            {"soort": a.type, "ingesteld_op": a.created_at, "laatst_gebruikt": a.last_used_at}
            for a in Authenticator.objects.filter(user=user).order_by("pk")
        ],
        "rollen": [
            {
                "rol": a.get_role_display(),
                "organisatie": a.organisation.name if a.organisation_id else "",
                "sinds": a.created_at,
            }
            for a in RoleAssignment.objects.filter(user=user).select_related("organisation")
        ],
        "rolwijzigingen": [
            {
                "rol": c.get_role_display(),
                "organisatie": c.organisation.name if c.organisation_id else "",
                "wijziging": c.get_action_display(),
                "tijdstip": c.created_at,
            }
            for c in RoleChange.objects.filter(subject=user).select_related("organisation")
        ],
        "inlogpogingen": [
            {
                "tijdstip": e.created_at,
                "geslaagd": e.succeeded,
                "ip_adres": e.ip_address,
                "browser": e.user_agent,
            }
            for e in LoginEvent.objects.filter(user=user)
        ],
        "emails": [
            {
                "soort": r.kind,
                "status": r.get_status_display(),
                "onderwerp": r.subject,
                "tekst": r.body,
                "gepland_op": r.due_at,
                "verstuurd_op": r.sent_at,
            }
            for r in PlannedReminder.objects.filter(recipient=user).order_by("-due_at", "-pk")
        ],
        "emailvoorkeuren": [
            {"soort": p.kind, "bezorging": p.get_delivery_display()}
            for p in MailPreference.objects.filter(user=user).order_by("kind")
        ],
        "netwerkprofiel": []
        if profile is None
        else [
            {
                "vindbaar": profile.findable,
                "toestemming_versie": profile.consent_version,
                "toestemming_op": profile.consented_at,
                "ingetrokken_op": profile.revoked_at,
                "toon_discipline": profile.show_discipline,
                "toon_functie": profile.show_job_title,
                "toon_afdeling": profile.show_department,
                "toon_e-mailadres": profile.show_email,
                "telefoon": profile.phone,
                "vraag_me_over": profile.ask_me_about,
            }
        ],
        "netwerktoestemmingen": [
            {
                "wijziging": e.get_action_display(),
                "versie": e.consent_version,
                "getoond": e.shown,
                "tijdstip": e.created_at,
            }
            for e in NetworkConsentEvent.objects.filter(user=user)
        ],
        "gekoppelde_accounts": []
        if social is None
        else list(social.objects.filter(user=user).values("provider", "uid", "date_joined")),
        "verwijderverzoeken": [
            {
                "aangevraagd_op": d.requested_at,
                "uiterlijk_besluit": d.deadline,
                "status": d.get_status_display(),
                "besloten_op": d.decided_at,
                "reden": d.reason,
            }
            for d in DeletionRequest.objects.filter(requester=user).order_by("pk")
        ],
    }


def _delete(queryset) -> int:
    """Delete and count the rows of the queryset's own model (not the cascaded ones)."""
    return queryset.delete()[1].get(queryset.model._meta.label, 0)


def _session_keys_of(user: User) -> list[str]:
    """The keys of the unexpired sessions logged in as ``user`` (sessions are opaque rows)."""
    wanted = str(user.pk)
    return [
        s.session_key
        for s in Session.objects.filter(expire_date__gt=timezone.now()).iterator()
        if s.get_decoded().get("_auth_user_id") == wanted
    ]


def erase(user: User, *, actor: User) -> dict[str, int]:
    """Turn the account into a pseudonym and delete what only identifies or concerns it."""
    email = user.email
    name = user.full_name.strip()
    counts: dict[str, int] = {}
    now = timezone.now()

    roles = list(RoleAssignment.objects.filter(user=user).select_related("organisation"))
    RoleChange.objects.bulk_create(
        RoleChange(
            actor=actor,
            subject=user,
            role=a.role,
            organisation_id=a.organisation_id,
            action=RoleChange.Action.REVOKED,
            reason="AVG-verwijderverzoek",
            created_at=now,
        )
        for a in roles
    )
    counts["rollen"] = _delete(RoleAssignment.objects.filter(user=user))
    permissions.forget_roles(user)
    for assignment in roles:
        # E.g. signalen hands a former contact person's open signals back to the queue.
        role_hooks.role_revoked(
            actor=actor, user=user, role=assignment.role, organisation=assignment.organisation
        )
    for programme in Programme.objects.filter(coordinators=user):
        programme.coordinators.remove(user)
    counts["inlogpogingen"] = _delete(
        LoginEvent.objects.filter(Q(user=user) | Q(identifier__iexact=email))
    )
    # Mails to the person, to their address, and mails to others that name them (a
    # manager's approval request, a beheerder's notice); the latter lose their log line.
    naming = Q(subject__icontains=email) | Q(body__icontains=email)
    if len(name) >= 3:
        naming |= Q(subject__icontains=name) | Q(body__icontains=name)
    counts["emails"] = _delete(
        PlannedReminder.objects.filter(
            Q(recipient=user) | Q(recipient_email__iexact=email) | naming
        )
    )
    counts["emailvoorkeuren"] = _delete(MailPreference.objects.filter(user=user))
    _delete(DailyDigest.objects.filter(user=user))
    _delete(SubmissionKey.objects.filter(user=user))
    counts["netwerkprofiel"] = _delete(NetworkProfile.objects.filter(user=user))
    counts["netwerktoestemmingen"] = _delete(NetworkConsentEvent.objects.filter(user=user))
    counts["emailadressen"] = _delete(EmailAddress.objects.filter(user=user))
    counts["tweede_factor"] = _delete(Authenticator.objects.filter(user=user))
    social = _social_accounts()
    if social is not None:
        counts["gekoppelde_accounts"] = _delete(social.objects.filter(user=user))
    _delete(Invitation.objects.filter(email__iexact=email))
    Session.objects.filter(session_key__in=_session_keys_of(user)).delete()

    pseudonym = f"verwijderd-{secrets.token_hex(4)}"
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk)
    ).update(object_repr=pseudonym, change_message="")
    user.full_name = pseudonym
    user.email = f"{pseudonym}@{PSEUDONYM_DOMAIN}"
    user.department = ""
    user.job_title = ""
    user.is_active = False
    user.is_staff = False
    user.is_superuser = False
    user.last_login = None
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    permissions.forget_roles(user)
    counts["profiel"] = 1
    return counts


def is_pseudonym(user: User) -> bool:
    """Whether the account was erased (its e-mail address is a pseudonym's)."""
    return user.email.endswith(f"@{PSEUDONYM_DOMAIN}")


register(
    Section(app_label="portal", kinds=KINDS, export=export, erase=erase, rules=RULES, order=100)
)
