"""Demo crossings for `make run`: about 30,000 synthetic cards over 2023-01-01 … 2026-11-20.

Loaded once, through the fast loader (then one rebuild of the report cells); skipped when the
registry already holds crossings, so `safar load-demo` stays safe to run again.
"""

from datetime import date
from importlib import import_module

DEMO_CROSSINGS = 30_000
DEMO_SEED = 2026
DEMO_PERIOD = (date(2023, 1, 1), date(2026, 11, 20))


def load_demo_crossings(stdout) -> None:
    from .models import Crossing
    from .synthetic import load_synthetic

    if Crossing.objects.exists():
        return
    stored = load_synthetic(
        DEMO_CROSSINGS, seed=DEMO_SEED, start=DEMO_PERIOD[0], end=DEMO_PERIOD[1]
    )
    stdout.write(
        f"Demo crossings: {stored:,} synthetic cards from {DEMO_PERIOD[0]} to {DEMO_PERIOD[1]}"
    )


import_module("safar.core.management.commands.load-demo").DEMO_LOADERS.append(load_demo_crossings)
