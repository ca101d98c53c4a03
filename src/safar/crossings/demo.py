"""Demo crossings for `make run`: about 30,000 synthetic cards over 2023-01-01 … 2026-11-20.

Loaded once, through the fast loader (then one rebuild of the report cells); skipped when the
registry already holds crossings, so `safar load-demo` stays safe to run again.
"""

from datetime import date

from safar.core.demo import DemoUser, register_loader, register_users

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


register_users(
    DemoUser(
        "analyst",
        "safar-analyst",
        "DIR",
        ("analyst",),
        "analyst: the twelve reports, all centres, border stations dashboard",
    ),
    DemoUser(
        "operator-du",
        "safar-operator",
        "ICC-DU",
        ("operator",),
        "operator of the Dushanbe centre (DYU, KRM): cards and scans",
    ),
    DemoUser(
        "operator-su",
        "safar-operator",
        "ICC-SU",
        ("operator",),
        "operator of the Sughd centre (LBD, FTH): cards and scans",
    ),
)
register_loader(load_demo_crossings, order=10)
