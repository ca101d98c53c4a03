"""`safar load-demo`: demo users and demo data, idempotent; prints the demo logins."""

from django.core.management.base import BaseCommand

from safar.core.demo import ensure_demo_users

# Other apps register demo loaders here: callables taking (stdout) that are safe to run twice.
DEMO_LOADERS: list = []


class Command(BaseCommand):
    help = "Create demo users and demo data (safe to run again) and print the demo logins."

    def handle(self, *args, **options):
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("demo")
        logins = ensure_demo_users()
        for loader in DEMO_LOADERS:
            loader(self.stdout)
        self.stdout.write("")
        self.stdout.write("Demo logins (http://127.0.0.1:8000/login/):")
        for username, password, roles in logins:
            self.stdout.write(f"  {username:<14} {password:<16} {roles}")
        self.stdout.write("")
