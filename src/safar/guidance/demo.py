"""Demo data of the guidance app: an `editor` login (the articles come with the migrations)."""

from importlib import import_module

from django.contrib.auth.models import Group

from safar.core.models import Office, Role, User

EDITOR = ("editor", "safar-editor", "DIR")


def load_demo_editor(stdout) -> None:
    """Create (or reset) the demo editor of guidance articles; safe to run again."""
    username, password, office = EDITOR
    user, _created = User.objects.get_or_create(username=username)
    user.office = Office.objects.get(code=office)
    user.set_password(password)
    user.save()
    user.groups.add(Group.objects.get(name=Role.EDITOR))
    stdout.write(f"Guidance editor: {username} / {password} (public guide at /guide/)")


import_module("safar.core.management.commands.load-demo").DEMO_LOADERS.append(load_demo_editor)
