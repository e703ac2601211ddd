"""Administrators keep the category list; signals and their audit log are not here.

A signal's content is for the contact persons only, so ``Signal`` and its notes and
attachments are deliberately not registered: a superuser cannot read them here. Neither is
the audit log: its rows name who reported, read and handled which signal (for an anonymous
signal, the reporter); each signal's history is on its own page for its contact persons, and
``manage.py verify_audit_chain`` checks the whole log.
"""

from django.contrib import admin

from portal.admin import RelatedNotListedAdmin

from .models import Category


@admin.register(Category)
class CategoryAdmin(RelatedNotListedAdmin):
    list_display = ["name", "name_en", "position", "is_active"]
    list_editable = ["position", "is_active"]
    search_fields = ["name", "name_en"]

    def has_delete_permission(self, request, obj=None):
        # Signals point at their category; retire one with "actief" instead.
        return False
