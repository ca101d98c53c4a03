from django.contrib import admin

from safar.core.admin_labels import LabelledInputsMixin

from .models import Article, ArticleVersion, BanRule, HelpContact, StayLimitRule
from .services import save_article


class VersionInline(LabelledInputsMixin, admin.TabularInline):
    model = ArticleVersion
    fields = ("number", "saved_at", "saved_by", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-number",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("slug", "title_en", "topic", "last_checked_on", "published")
    list_filter = ("topic", "published")
    search_fields = ("slug", "title_tg", "title_ru", "title_en")
    inlines = [VersionInline]

    def save_model(self, request, obj, form, change):
        # Saving here keeps a version and an audit record, like the editor's own pages.
        save_article(article=obj, editor=request.user, note="admin")


@admin.register(HelpContact)
class HelpContactAdmin(LabelledInputsMixin, admin.ModelAdmin):
    list_display = ("key", "name_en", "phone", "confirmed")
    list_editable = ("phone", "confirmed")


@admin.register(StayLimitRule)
class StayLimitRuleAdmin(admin.ModelAdmin):
    list_display = ("effective_from", "kind", "max_days", "window_days", "basis")


@admin.register(BanRule)
class BanRuleAdmin(admin.ModelAdmin):
    list_display = (
        "ground",
        "effective_from",
        "threshold",
        "window_years",
        "years",
        "mandatory",
        "basis",
    )
    list_filter = ("ground", "mandatory")
