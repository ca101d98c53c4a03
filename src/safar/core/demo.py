"""Demo users for `make run`. Each app adds its own demo data through `safar load-demo`."""

from django.contrib.auth.models import Group

from .models import Office, Role, User

# (username, password, office code, roles) — printed by `safar load-demo`; for demos only.
DEMO_USERS = (
    ("admin", "safar-admin", "DIR", (Role.ADMINISTRATOR,)),
    ("analyst", "safar-analyst", "DIR", (Role.ANALYST,)),
    ("operator-du", "safar-operator", "ICC-DU", (Role.OPERATOR,)),
    ("operator-su", "safar-operator", "ICC-SU", (Role.OPERATOR,)),
)


def ensure_demo_users() -> list[tuple[str, str, str]]:
    """Create the demo users if missing (passwords are reset to the demo ones); return logins."""
    logins = []
    for username, password, office_code, roles in DEMO_USERS:
        user, _ = User.objects.get_or_create(username=username)
        user.office = Office.objects.get(code=office_code)
        user.is_staff = Role.ADMINISTRATOR in roles
        user.is_superuser = Role.ADMINISTRATOR in roles
        user.set_password(password)
        user.save()
        user.groups.set(Group.objects.filter(name__in=[str(r) for r in roles]))
        logins.append((username, password, ", ".join(str(r.label) for r in roles)))
    return logins
