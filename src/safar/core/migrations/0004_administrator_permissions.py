"""The `administrator` group gets the model permissions the Django admin asks for.

Administrators edit reference data and users' offices and roles there, read the audit log and
revoke API tokens. Nothing here lets them edit the audit log or crossings (those go through
services that keep the audit trail and the report aggregates exact).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REFERENCE_MODELS = ("office", "region", "district", "country", "borderpoint", "purpose")
GRANTS = {
    "core": {
        **{model: ("add", "change", "delete", "view") for model in REFERENCE_MODELS},
        "user": ("add", "change", "view"),
        "auditevent": ("view",),
        "apitoken": ("view", "change"),
    },
    "auth": {"group": ("view",)},
}


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so they can be given.
    for label in GRANTS:
        config = apps.get_app_config(label)
        config.models_module = True
        create_permissions(config, apps=apps, verbosity=0)
        config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="administrator")
    for app_label, models in GRANTS.items():
        for model, actions in models.items():
            codenames = [f"{action}_{model}" for action in actions]
            perms = Permission.objects.filter(
                content_type__app_label=app_label, content_type__model=model, codename__in=codenames
            )
            if perms.count() != len(codenames):
                raise RuntimeError(f"missing permissions for {app_label}.{model}")
            group.permissions.add(*perms)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name="administrator").first()
    if group is not None:
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_districts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]
    operations = [migrations.RunPython(grant, revoke)]
