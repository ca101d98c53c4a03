from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


def _is_administrator(user) -> bool:
    return user.is_authenticated and user.has_role("administrator")


def _has_no_role(user) -> bool:
    return user.is_authenticated and not user.is_superuser and not user.role_names()


def _admin_context(request) -> dict:
    from .models import AuditEvent

    return {"recent_events": AuditEvent.objects.select_related("user")[:8]}


def create_cache_table(sender, using: str = "default", **kwargs) -> None:
    """The database cache's table (settings.CACHES), made by every `migrate`, test databases
    included; `createcachetable` leaves an existing table alone."""
    from django.core.management import call_command

    call_command("createcachetable", database=using, verbosity=0)


class CoreConfig(AppConfig):
    name = "safar.core"
    label = "core"
    verbose_name = _("Core: offices, users, reference data, audit")

    def ready(self) -> None:

        from .models import Role
        from .navigation import HomeSection, Link, register
        from .package_names import name_package_apps
        from .roles import label_role, sync_roles

        name_package_apps()
        for role in Role:
            label_role(role.value, role.label)

        post_migrate.connect(sync_roles, dispatch_uid="safar.core.roles.sync_roles")

        register(
            # A context keeps "Home" apart from the admin's own word.
            Link(
                "home",
                "home",
                pgettext_lazy("site navigation", "Home"),
                allowed=lambda user: user.is_authenticated,
                order=0,
            ),
            Link("admin", "admin:index", _("Administration"), allowed=_is_administrator, order=90),
            HomeSection(
                "core/home_admin.html", allowed=_is_administrator, order=80, context=_admin_context
            ),
            HomeSection("core/home_no_role.html", allowed=_has_no_role, order=99),
        )

        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="safar-cache-table")
