"""`safar import-crossings FILE.csv`: load historical crossings (see safar.crossings.importer)."""

import sys
import time

from django.core.management.base import BaseCommand, CommandError

from safar.crossings.importer import (
    CHUNK_SIZE,
    EXPECTED_HEADER,
    TRANSACTION_SECONDS,
    ImportFileError,
    import_crossings,
)

SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = (
        f"Import crossings from a CSV file with the header {EXPECTED_HEADER} (optionally "
        "followed by surname,given_names,district). Bad rows go to FILE.rejects.csv."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the CSV file")
        parser.add_argument(
            "--chunk-size",
            type=int,
            default=CHUNK_SIZE,
            help="at most this many rows per transaction (default %(default)s)",
        )
        parser.add_argument(
            "--transaction-seconds",
            type=float,
            default=TRANSACTION_SECONDS,
            help="about this much work per transaction, so that other writers (the web) get "
            "their turn between chunks (default %(default)s)",
        )
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")

    def handle(self, *args, **options):
        shown = 0

        def on_problem(line, reason):
            nonlocal shown
            shown += 1
            if shown <= SHOWN_PROBLEMS:
                self.stderr.write(f"{options['file']}, line {line}: {reason}")

        started = time.monotonic()
        try:
            result = import_crossings(
                options["file"],
                chunk_size=options["chunk_size"],
                transaction_seconds=options["transaction_seconds"],
                progress=not options["no_progress"] and sys.stderr.isatty(),
                on_problem=on_problem,
            )
        except FileNotFoundError:
            raise CommandError(f"{options['file']}: no such file") from None
        except ImportFileError as exc:
            raise CommandError(str(exc)) from None
        if shown > SHOWN_PROBLEMS:
            self.stderr.write(
                f"… and {shown - SHOWN_PROBLEMS:,} more rows refused "
                f"(all of them are in {result.rejects_path})"
            )
        self.stdout.write(f"{result.summary()} in {time.monotonic() - started:.1f} s")
