from collections import Counter

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialAccount, SocialApp, SocialToken
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db import router
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from .models import (
    DestructionRecord,
    Invitation,
    LoginEvent,
    NetworkConsentEvent,
    Organisation,
    OrganisationEmailDomain,
    PlannedReminder,
    RoleAssignment,
    RoleChange,
    RoleReview,
    RoleReviewLine,
    User,
)


class ReadOnly:
    """For an admin or inline that only shows: nothing can be added, changed or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RelatedNotListedAdmin(admin.ModelAdmin):
    """A delete confirmation that counts what goes with an object, per kind, but names none.

    Django's confirmation lists every related object by name: for an organisation or a person
    that meant every signal reference, verkenning title and plan. Counting is enough to decide.
    """

    def get_deleted_objects(self, objs, request):
        _to_delete, model_count, perms_needed, protected = super().get_deleted_objects(
            objs, request
        )
        to_delete = [f"{capfirst(obj._meta.verbose_name)}: {obj}" for obj in objs]
        if protected:
            collector = NestedObjects(using=router.db_for_write(self.model))
            collector.collect(objs)
            kinds = Counter(str(obj._meta.verbose_name_plural) for obj in collector.protected)
            protected = [f"{capfirst(kind)}: {count}" for kind, count in sorted(kinds.items())]
        return to_delete, model_count, perms_needed, protected


# Single sign-on: the providers are the beheerder's (portal.IdentityProvider, on the beheer
# pages), tokens are not stored, and a linked account's data is the provider's claims about a
# person. allauth's admin for them is left out.
for _model in (SocialApp, SocialToken, SocialAccount):
    admin.site.unregister(_model)

# allauth's own admin shows an authenticator's data: the TOTP secret and the recovery-code
# seed. This one shows only whose it is, its type and its dates.
admin.site.unregister(Authenticator)


@admin.register(Authenticator)
class AuthenticatorAdmin(RelatedNotListedAdmin):
    """Second factors without their secrets; deleting one makes its owner set up a new one."""

    list_display = ["user", "type", "created_at", "last_used_at"]
    list_filter = ["type"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    fields = ["user", "type", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class EmailDomainInline(admin.TabularInline):
    model = OrganisationEmailDomain
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(RelatedNotListedAdmin):
    list_display = ["name", "kind", "parent", "has_meldpunt"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [EmailDomainInline]

    def has_delete_permission(self, request, obj=None):
        # An organisation holds signals, verkenningen and people; it is never deleted here.
        return False


class RoleAssignmentInline(ReadOnly, admin.TabularInline):
    """Read-only: roles change under Beheer → Rollen, where each change is recorded and mailed."""

    model = RoleAssignment
    fk_name = "user"
    extra = 0
    readonly_fields = ["role", "organisation"]


@admin.register(User)
class UserAdmin(RelatedNotListedAdmin, DjangoUserAdmin):
    ordering = ["full_name"]
    list_display = ["email", "full_name", "organisation", "discipline", "is_active"]
    list_filter = ["organisation", "discipline", "is_active", "is_staff"]
    list_select_related = ["organisation"]
    search_fields = ["email", "full_name"]
    inlines = [RoleAssignmentInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Profiel"),
            {"fields": ["full_name", "organisation", "discipline", "department", "job_title"]},
        ),
        (_("Rechten"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Data"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "organisation", "password1", "password2"],
            },
        ),
    ]


@admin.register(Invitation)
class InvitationAdmin(RelatedNotListedAdmin):
    list_display = [
        "email",
        "organisation",
        "invited_by",
        "expires_at",
        "accepted_at",
        "revoked_at",
    ]
    list_select_related = ["organisation", "invited_by"]
    readonly_fields = ["token_hash", "accepted_at"]
    search_fields = ["email"]


@admin.register(LoginEvent)
class LoginEventAdmin(RelatedNotListedAdmin):
    list_display = ["created_at", "identifier", "succeeded", "ip_address"]
    list_filter = ["succeeded"]
    search_fields = ["identifier", "ip_address"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PlannedReminder)
class PlannedReminderAdmin(ReadOnly, RelatedNotListedAdmin):
    """Read-only, and only when and to whom: a mail's subject, text and subject matter (a
    signal's reference, category or status, a link) are for its recipient, not the admin."""

    list_display = ["kind", "recipient_email", "due_at", "status", "attempts", "sent_at"]
    list_filter = ["status", "kind"]
    search_fields = ["recipient_email", "kind"]
    date_hierarchy = "due_at"
    fields = ["kind", "recipient_email", "due_at", "status", "attempts", "sent_at"]
    readonly_fields = fields


@admin.register(NetworkConsentEvent)
class NetworkConsentEventAdmin(ReadOnly, RelatedNotListedAdmin):
    """The netwerk consent history (AVG proof); written only by the netwerk services."""

    list_display = ["created_at", "user", "action", "consent_version", "shown"]
    list_filter = ["action", "consent_version"]
    list_select_related = ["user"]
    search_fields = ["user__email", "user__full_name"]
    date_hierarchy = "created_at"


@admin.register(RoleChange)
class RoleChangeAdmin(ReadOnly, RelatedNotListedAdmin):
    """The record of role changes (BIO 5.18); written only by the role services."""

    list_display = ["created_at", "subject", "action", "role", "organisation", "actor"]
    list_filter = ["action", "role"]
    list_select_related = ["subject", "actor", "organisation"]
    search_fields = ["subject__email", "subject__full_name", "actor__email"]
    date_hierarchy = "created_at"


class RoleReviewLineInline(ReadOnly, admin.TabularInline):
    model = RoleReviewLine
    extra = 0
    fields = ["user", "role", "organisation", "decision", "decided_by", "decided_at"]
    readonly_fields = fields


@admin.register(RoleReview)
class RoleReviewAdmin(ReadOnly, RelatedNotListedAdmin):
    list_display = ["opened_at", "is_open", "closed_at", "opened_by"]
    inlines = [RoleReviewLineInline]


@admin.register(DestructionRecord)
class DestructionRecordAdmin(ReadOnly, RelatedNotListedAdmin):
    """The destruction register: written only by the retention run, never changed after."""

    list_display = ["run_at", "kind", "action", "count", "period", "unit", "cutoff"]
    list_filter = ["kind", "action"]
    date_hierarchy = "run_at"
