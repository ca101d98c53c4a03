from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


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
        post_migrate.connect(create_cache_table, sender=self, dispatch_uid="safar-cache-table")
