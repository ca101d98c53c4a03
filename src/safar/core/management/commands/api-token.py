"""`safar api-token USERNAME`: issue an API token; `--list` and `--revoke PREFIX` manage them.

The raw token is printed once, on the last line, and never stored: the database keeps its
SHA-256 only (core.models.ApiToken), so a lost token is revoked and a new one issued. A token
opens the JSON API only (/api/), and expires SAFAR_API_TOKEN_DAYS (default 90) days after issue.
"""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from safar.core.models import ApiToken, AuditEvent, User


class Command(BaseCommand):
    help = (
        "Print a new API token for an existing user (the raw token is the last line). "
        "--list shows the user's tokens by prefix; --revoke PREFIX revokes one."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--list", action="store_true", help="list the user's tokens")
        action.add_argument(
            "--revoke", metavar="PREFIX", help="revoke the user's active token starting with PREFIX"
        )

    def handle(self, *args, username, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"USERNAME: no user named {username!r}")
        if options["list"]:
            self.list_tokens(user)
        elif options["revoke"]:
            self.revoke(user, options["revoke"])
        else:
            self.issue(user)

    def issue(self, user) -> None:
        if not user.is_active:
            raise CommandError(f"USERNAME: user {user.username!r} is inactive")
        with transaction.atomic():
            token, raw = ApiToken.issue(user)
            AuditEvent.record(
                user=None,
                action=AuditEvent.Action.CREATE,
                obj=token,
                changes={"user": [None, user.username], "prefix": [None, token.prefix]},
            )
        self.stderr.write(
            f"Token {token.prefix}… for {user.username}, valid until "
            f"{token.expires_at:%Y-%m-%d %H:%M}; it is shown only once:"
        )
        self.stdout.write(raw)

    def list_tokens(self, user) -> None:
        tokens = ApiToken.objects.filter(user=user).order_by("created_at")
        if not tokens:
            self.stdout.write(f"{user.username} has no API tokens.")
        for token in tokens:
            if token.revoked_at:
                state = f"revoked {token.revoked_at:%Y-%m-%d %H:%M}"
            elif token.expires_at <= timezone.now():
                state = f"expired {token.expires_at:%Y-%m-%d %H:%M}"
            else:
                state = f"active until {token.expires_at:%Y-%m-%d %H:%M}"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}  created {token.created_at:%Y-%m-%d %H:%M}  "
                f"last used {used}  {state}"
            )

    def revoke(self, user, prefix: str) -> None:
        matches = list(
            ApiToken.objects.filter(user=user, revoked_at__isnull=True, prefix__startswith=prefix)
        )
        if not matches:
            raise CommandError(
                f"--revoke: {user.username} has no active token starting with {prefix!r}"
            )
        if len(matches) > 1:
            raise CommandError(
                f"--revoke: {len(matches)} active tokens start with {prefix!r}; "
                "give more characters"
            )
        matches[0].revoke(by=None)
        self.stdout.write(f"Revoked token {matches[0].prefix}… of {user.username}.")
