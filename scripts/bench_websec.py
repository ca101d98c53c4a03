"""Two measurements for docs/benchmarks.md ("Web: chart drawing and rate-limit counts").

    .venv/bin/python scripts/bench_websec.py chart
    SAFAR_DATA_DIR=$(mktemp -d) .venv/bin/python scripts/bench_websec.py ratelimit [--hits 1000]

`chart` draws a chart of 2,000 and 20,000 bars (both layouts) and prints the seconds; `ratelimit`
counts hits into the configured cache (SAFAR_REDIS_URL, or the database of DATABASE_URL; the
cache table is created first) and prints the milliseconds per hit.
"""

import argparse
import os
import time

import django


def chart() -> None:
    from safar.reports.charts import Chart, render_svg

    for bars in (2_000, 20_000):
        for columns in (True, False):
            values = [[n % 97 + 1] for n in range(bars)]
            drawn = Chart([f"m{n}" for n in range(bars)], ["n"], values, columns)
            started = time.perf_counter()
            render_svg(drawn)
            layout = "columns" if columns else "bars"
            print(f"{bars:>6} {layout:<7} {time.perf_counter() - started:.3f} s")


def ratelimit(hits: int) -> None:
    from django.conf import settings
    from django.core.management import call_command

    from safar.core.ratelimit import hit

    call_command("createcachetable", verbosity=0)
    started = time.perf_counter()
    for n in range(hits):
        hit(f"bench:{n % 50}", limit=30, window=60)
    backend = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    print(f"{backend}: {(time.perf_counter() - started) / hits * 1000:.2f} ms per hit")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["chart", "ratelimit"])
    parser.add_argument("--hits", type=int, default=1000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safar.settings")
    django.setup()
    chart() if args.what == "chart" else ratelimit(args.hits)


if __name__ == "__main__":
    main()
