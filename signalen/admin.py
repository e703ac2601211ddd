"""Administrators keep the category list and may read the audit log; signals are not here.

A signal's content is for the contact persons only, so ``Signal`` and its notes
and attachments are deliberately not registered: a superuser cannot read them here.
"""

from django.contrib import admin

from .models import AuditEntry, Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "name_en"]

    def has_delete_permission(self, request, obj=None):
        # Signals point at their category; retire one with "actief" instead.
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only: nobody adds, changes or deletes audit entries, superusers included."""

    list_display = ["seq", "created_at", "actor", "action", "object_type", "object_id", "result"]
    list_filter = ["action", "result", "object_type"]
    list_select_related = ["actor"]
    ordering = ["-seq"]
    readonly_fields = [
        "seq",
        "created_at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "result",
        "ip_address",
        "prev_hash",
        "hash",
    ]
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
