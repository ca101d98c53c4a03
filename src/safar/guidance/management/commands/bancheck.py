"""`safar bancheck FILE.json`: the stay calculator and ban self-check, answer as JSON."""

import json
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from safar.guidance.bancheck import InvalidCase, answer, parse_case
from safar.guidance.models import current_rulebook


class Command(BaseCommand):
    help = "Check stays and entry bans for the case in FILE.json ('-' reads standard input)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the case as JSON (see docs/guidance.md)")

    def handle(self, *args, file, **options):
        try:
            text = sys.stdin.read() if file == "-" else open(file, encoding="utf-8").read()
        except OSError as exc:
            raise CommandError(f"{file}: cannot read: {exc.strerror}") from None
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CommandError(
                f"{file}:{exc.lineno}:{exc.colno}: not valid JSON: {exc.msg}"
            ) from None
        try:
            case = parse_case(data, today=timezone.localdate())
        except InvalidCase as invalid:
            lines = [f"{file}: {p.path or '(top level)'}: {p.message}" for p in invalid.problems]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            json.dumps(answer(case, current_rulebook()), ensure_ascii=False, indent=2)
        )
