from django.contrib import admin

from portal.admin import RelatedNotListedAdmin

from .models import LibraryTheme


@admin.register(LibraryTheme)
class LibraryThemeAdmin(RelatedNotListedAdmin):
    """The library's theme list, kept short by the superusers; resources pick from it."""

    list_display = ["name"]
    search_fields = ["name"]
