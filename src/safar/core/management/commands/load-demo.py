"""`safar load-demo`: demo users and demo data of every app, idempotent; prints the demo logins."""

from django.core.management.base import BaseCommand

from safar.core.demo import load_demo


class Command(BaseCommand):
    help = "Create demo users and demo data (safe to run again) and print the demo logins."

    def handle(self, *args, **options):
        logins = load_demo(self.stdout)
        self.stdout.write("")
        self.stdout.write("Demo logins (http://127.0.0.1:8000/login/):")
        for user in logins:
            self.stdout.write(f"  {user.username:<14} {user.password:<16} {user.description}")
        self.stdout.write("")
