"""Demo logins and demo data for `make run`, registered by each app the same way.

Each app's `demo.py` module (found by `safar load-demo`) registers its demo users and a loader:

    from safar.core.demo import DemoUser, register_loader, register_users

    register_users(DemoUser("analyst", "safar-analyst", "DIR", ("analyst",), "the reports"))
    register_loader(load_demo_crossings, order=10)

Users are created (or reset to their demo password) first, then loaders run by `order`; every
loader must be safe to run again.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.utils.module_loading import autodiscover_modules

from .models import Office, User
from .roles import ADMINISTRATOR


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    organisation: str
    roles: tuple[str, ...]
    description: str
    # "Given Family", shown where a page names who did what (else pages show the username).
    name: str = ""


_users: dict[str, DemoUser] = {}
_loaders: list[tuple[int, Callable]] = []


def register_users(*users: DemoUser) -> None:
    for user in users:
        _users[user.username] = user


def register_loader(loader: Callable, *, order: int = 50) -> None:
    """`loader(stdout)` adds an app's demo data; loaders run in `order`, lowest first."""
    if all(existing is not loader for _order, existing in _loaders):
        _loaders.append((order, loader))


register_users(
    DemoUser(
        "admin",
        "safar-admin",
        "DIR",
        (ADMINISTRATOR,),
        "administrator: everything, and the admin at /admin/ (two-step sign-in)",
    ),
)


def ensure_user(demo: DemoUser) -> User:
    """Create the demo user if missing and reset its password, organisation and roles."""
    user, _created = User.objects.get_or_create(username=demo.username)
    user.office = Office.objects.get(code=demo.organisation)
    is_admin = ADMINISTRATOR in demo.roles
    user.is_staff = user.is_superuser = is_admin
    if demo.name:
        user.first_name, _space, user.last_name = demo.name.partition(" ")
    user.set_password(demo.password)
    user.save()
    user.groups.set(Group.objects.filter(name__in=demo.roles))
    return user


def load_demo(stdout) -> list[DemoUser]:
    """Every app's demo users and data; returns the demo logins to print."""
    autodiscover_modules("demo")
    for demo in _users.values():
        ensure_user(demo)
    for _order, loader in sorted(_loaders, key=lambda item: item[0]):
        loader(stdout)
    return list(_users.values())
