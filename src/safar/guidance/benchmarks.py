"""`safar bench bancheck`: how fast the ban self-check answers (engine alone, and the JSON API).

Cases: a typical one (3 stays, a patent, an offence) and a heavy one (the input limits: 200
stays over 30 years, 200 permits) which bounds the work one public request can cause.
"""

import argparse
import json
import random
import statistics
import time
from datetime import date, timedelta

from safar.core.benchmarks import benchmark

AS_OF = date(2026, 11, 22)


def typical_case() -> dict:
    return {
        "as_of": AS_OF.isoformat(),
        "stays": [
            {"entry": "2024-03-01", "exit": "2024-09-15"},
            {"entry": "2025-01-10", "exit": "2025-05-10"},
            {"entry": "2026-06-01", "exit": None},
        ],
        "permits": [{"kind": "patent", "from": "2024-03-20", "to": "2024-08-31"}],
        "offences": [{"decided_on": "2025-01-10", "kind": "migration"}],
    }


def heavy_case(seed: int = 1) -> dict:
    rng = random.Random(seed)
    day, stays, permits = date(1996, 1, 1), [], []
    for _ in range(200):
        length = rng.randint(10, 40)
        exit_ = day + timedelta(days=length)
        stays.append({"entry": day.isoformat(), "exit": exit_.isoformat()})
        permits.append(
            {
                "kind": "patent",
                "from": (day + timedelta(days=5)).isoformat(),
                "to": (day + timedelta(days=15)).isoformat(),
            }
        )
        day = exit_ + timedelta(days=rng.randint(10, 20))
    return {"as_of": AS_OF.isoformat(), "stays": stays, "permits": permits}


def _time(func, repeat: int) -> list[float]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func()
        times.append((time.perf_counter() - start) * 1000)
    return times


def _report(name: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[int(len(times) * 0.95) - 1] if len(times) >= 20 else times[-1]
    print(
        f"{name:<34} n={len(times):<4} median {statistics.median(times):8.2f} ms"
        f"   p95 {p95:8.2f} ms"
    )


@benchmark("bancheck")
def run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="safar bench bancheck")
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args(argv)
    from django.test import Client

    from safar.guidance.bancheck import answer, parse_case
    from safar.guidance.models import current_rulebook

    rules = current_rulebook()
    client = Client(REMOTE_ADDR="198.51.100.7")
    for name, data in (
        ("typical (3 stays)", typical_case()),
        ("heavy (200 stays, 200 permits)", heavy_case()),
    ):
        case = parse_case(data, today=AS_OF)
        _report(f"engine, {name}", _time(lambda c=case: answer(c, rules), args.repeat))
        body = json.dumps(data)

        def call(body=body):
            from django.core.cache import cache

            cache.clear()  # the benchmark measures the work, not the rate limit
            response = client.post("/api/bancheck", body, content_type="application/json")
            assert response.status_code == 200, response.content[:200]

        _report(f"API, {name}", _time(call, args.repeat))
    return 0
