from django.contrib import admin

from .models import Choice, Question


class ChoiceInline(admin.TabularInline):
    model = Choice
    extra = 0
    fields = ("position", "name_tg", "name_ru", "name_en", "correct")


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    """Administrators maintain the knowledge check's question bank in three languages. A question
    is retired (in use: off), not deleted, once trainings were scored on it."""

    list_display = ("topic", "position", "text_tg", "text_ru", "active")
    list_filter = ("active", "topic")
    search_fields = ("text_tg", "text_ru", "text_en")
    inlines = [ChoiceInline]
