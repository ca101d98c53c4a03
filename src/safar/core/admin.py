from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import models
from .roles import role_label


class RoleFilter(admin.SimpleListFilter):
    """Users by role, each role by its name in the active language (groups are named by code)."""

    title = _("role")
    parameter_name = "role"

    def lookups(self, request, model_admin):
        names = Group.objects.values_list("name", flat=True)
        return sorted(((n, role_label(n)) for n in names), key=lambda item: item[1].casefold())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(groups__name=self.value())
        return queryset


@admin.register(models.User)
class UserAdmin(BaseUserAdmin):
    fieldsets = (*BaseUserAdmin.fieldsets, (_("Office"), {"fields": ("office",)}))
    list_display = ("username", "first_name", "last_name", "office", "is_active")
    list_filter = ("office", RoleFilter, "is_active")

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser or obj is None:
            return fieldsets
        # Roles are the groups; an administrator must not hand out superuser or raw permissions.
        hidden = {"is_superuser", "user_permissions", "is_staff"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # The admin site admits staff only: an administrator role is what makes a user staff.
        user = form.instance
        is_admin = user.groups.filter(name=models.Role.ADMINISTRATOR).exists()
        if not user.is_superuser and user.is_staff != is_admin:
            user.is_staff = is_admin
            user.save(update_fields=["is_staff"])


class NamedAdmin(admin.ModelAdmin):
    search_fields = ("code", "name_tg", "name_ru", "name_en")


@admin.register(models.Office)
class OfficeAdmin(NamedAdmin):
    list_display = ("code", "kind", "name_tg", "name_ru", "name_en", "region", "parent")
    list_filter = ("kind", "region")


@admin.register(models.Region)
class RegionAdmin(NamedAdmin):
    list_display = ("code", "name_tg", "name_ru", "name_en")


@admin.register(models.District)
class DistrictAdmin(NamedAdmin):
    list_display = ("code", "region", "kind", "name_tg", "name_ru", "name_en")
    list_filter = ("region", "kind")


@admin.register(models.Country)
class CountryAdmin(NamedAdmin):
    list_display = ("code", "alpha2", "name_tg", "name_ru", "name_en")


@admin.register(models.BorderPoint)
class BorderPointAdmin(NamedAdmin):
    list_display = ("code", "kind", "centre", "name_tg", "name_ru", "name_en")
    list_filter = ("centre", "kind")


@admin.register(models.Purpose)
class PurposeAdmin(NamedAdmin):
    list_display = ("code", "position", "name_tg", "name_ru", "name_en")


class ObjectTypeFilter(admin.SimpleListFilter):
    """The audit log's object types by their names in the active language, not their labels."""

    title = _("object type")
    parameter_name = "object_type"

    def lookups(self, request, model_admin):
        types = model_admin.get_queryset(request).values_list("object_type", flat=True)
        named = {t: models.AuditEvent.object_type_label(t) for t in types.distinct() if t}
        return sorted(named.items(), key=lambda item: item[1].casefold())

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(object_type=self.value())
        return queryset


@admin.register(models.AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ("at", "user", "action", "object_type_name", "object_id", "query")
    list_filter = ("action", ObjectTypeFilter, "user")
    search_fields = ("object_id", "user__username")
    date_hierarchy = "at"

    @admin.display(description=_("object type"), ordering="object_type")
    def object_type_name(self, event):
        return event.object_type_name

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `safar api-token USERNAME` (the raw token is printed once, and never
    passes through a web page); here they are listed and revoked, for good, with an audit event."""

    list_display = ("user", "prefix", "created_at", "expires_at", "last_used_at", "revoked_at")
    list_filter = ("revoked_at",)
    search_fields = ("user__username", "prefix")
    readonly_fields = (
        "user",
        "prefix",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked_at",
    )
    fields = readonly_fields
    actions = ["revoke"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        # A token is revoked, not deleted: its audit events keep naming it.
        return False

    def has_change_permission(self, request, obj=None):
        # The change page is read-only; revoking is the list's action.
        return False

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("core.view_apitoken") or request.user.has_perm(
            "core.change_apitoken"
        )

    def has_revoke_permission(self, request):
        return request.user.has_perm("core.change_apitoken")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke(self, request, queryset):
        revoked = sum(token.revoke(by=request.user) for token in queryset)
        self.message_user(
            request,
            ngettext("%(n)d token revoked.", "%(n)d tokens revoked.", revoked) % {"n": revoked},
        )
