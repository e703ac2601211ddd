from django.contrib import admin

from portal.admin import RelatedNotListedAdmin

from .models import Question, Theme


@admin.register(Question)
class QuestionAdmin(RelatedNotListedAdmin):
    list_display = ["text", "text_en", "is_uncomfortable", "position", "is_active"]
    list_editable = ["position", "is_active"]
    list_filter = ["is_uncomfortable", "is_active"]


@admin.register(Theme)
class ThemeAdmin(RelatedNotListedAdmin):
    list_display = ["name", "name_en", "is_active"]
    list_editable = ["is_active"]
    search_fields = ["name", "name_en"]
