from django.contrib import admin

from .models import Category


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    """Administrators maintain the categories' names and order, and retire categories; codes
    are stable (the API and the statistics use them), so a saved code cannot be changed and a
    category is never deleted here (contacts refer to it)."""

    list_display = ("code", "name_tg", "name_ru", "name_en", "parent", "position", "active")
    list_filter = ("active", "parent")
    search_fields = ("code", "name_tg", "name_ru", "name_en")
    list_editable = ("position", "active")
    # The guide articles the contact form links for the category.
    filter_horizontal = ("articles",)

    def get_readonly_fields(self, request, obj=None):
        return ("code", "parent") if obj is not None else ()

    def has_delete_permission(self, request, obj=None):
        return False
