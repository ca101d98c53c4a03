"""`safar bench WHAT [options]`: the project's benchmark commands.

Each app that has a benchmark defines it in its `benchmarks.py` module by adding an entry to
`safar.core.benchmarks.BENCHMARKS`; this command finds them and runs the one asked for.
"""

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.module_loading import autodiscover_modules

from safar.core.benchmarks import BENCHMARKS


class Command(BaseCommand):
    help = "Run a benchmark: safar bench reports|import|reading|… [options] (see --help of each)."

    def run_from_argv(self, argv):
        # The benchmark owns its own options: hand it everything after its name.
        autodiscover_modules("benchmarks")
        if len(argv) < 3 or argv[2] in {"-h", "--help"}:
            names = ", ".join(sorted(BENCHMARKS)) or "(none)"
            sys.stdout.write(f"usage: safar bench WHAT [options]\nbenchmarks: {names}\n")
            return
        name = argv[2]
        if name not in BENCHMARKS:
            raise CommandError(
                f"unknown benchmark {name!r}; known: {', '.join(sorted(BENCHMARKS))}"
            )
        import django

        django.setup()
        code = BENCHMARKS[name](argv[3:])
        sys.exit(code or 0)

    def handle(self, *args, **options):  # pragma: no cover - run_from_argv does the work
        raise CommandError("use: safar bench WHAT [options]")
