"""In-process timing of the JSON API (Django's test client, no network), for docs/benchmarks.md.

    SAFAR_DATA_DIR=DIR .venv/bin/python scripts/bench_api.py [N]

DIR holds a database with the demo data (`safar migrate`, `safar load-demo`). Issues a token for
the demo analyst; times N calls of each case after 10 warm-up calls; prints median and p95.
"""

import json
import logging
import os
import statistics
import sys
import time

import django

CASE = json.dumps(
    {
        "as_of": "2026-11-22",
        "stays": [{"entry": "2026-03-01", "exit": "2026-05-15"}],
        "removals": [{"on": "2023-05-01", "kind": "expulsion"}],
    }
)
YEAR = {"from": "2024-01-01", "to": "2024-12-31"}


def main(n: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safar.settings")
    django.setup()
    logging.disable(logging.WARNING)  # the 400 case would log each request
    from django.test import Client

    from safar.core.models import ApiToken, User

    _token, raw = ApiToken.issue(User.objects.get(username="analyst"))
    auth = {"HTTP_AUTHORIZATION": f"Token {raw}"}
    client = Client()
    cases = {
        "GET /api/reports": lambda i: client.get("/api/reports", **auth),
        "GET /api/reports/R01 (a year)": lambda i: client.get("/api/reports/R01", YEAR, **auth),
        "GET /api/reports/R01 (400)": lambda i: client.get(
            "/api/reports/R01", {"from": "2024-13-01", "to": "2024-12-31"}, **auth
        ),
        # A new address per call: the rate limit is not what is measured.
        "POST /api/bancheck": lambda i: client.post(
            "/api/bancheck",
            CASE,
            content_type="application/json",
            REMOTE_ADDR=f"10.9.{i // 250}.{i % 250}",
        ),
    }
    for name, call in cases.items():
        for i in range(10):
            call(10_000 + i)
        times = []
        for i in range(n):
            start = time.perf_counter()
            response = call(i)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        print(
            f"{name}: status {response.status_code}, median {statistics.median(times):.2f} ms, "
            f"p95 {times[int(len(times) * 0.95)]:.2f} ms"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
