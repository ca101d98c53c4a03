"""Straight-from-the-definition computations of the twelve reports over the crossings table.

Used only by the tests, as the reference the cube-based reports must equal. Written from the
issue's table, without the cubes: every crossing is read, travellers' crossings are ordered by
(date, id), and each row is counted where the definition says.
"""

from collections import Counter, defaultdict
from datetime import date

from safar.crossings.cubes import age_group_of, band_of
from safar.crossings.models import Crossing
from safar.reports.periods import months_overlapping


def load() -> list[dict]:
    fields = (
        "id",
        "traveller_id",
        "traveller__citizenship_id",
        "traveller__birth_date",
        "direction",
        "crossed_on",
        "border_point_id",
        "sex",
        "purpose_id",
        "country_id",
        "region_id",
    )
    out = []
    for row in Crossing.objects.order_by("traveller_id", "crossed_on", "id").values_list(*fields):
        c = dict(
            zip(
                (
                    "id",
                    "traveller",
                    "citizenship",
                    "birth",
                    "direction",
                    "day",
                    "bp",
                    "sex",
                    "purpose",
                    "country",
                    "region",
                ),
                row,
                strict=True,
            )
        )
        c["region"] = c["region"] or ""
        out.append(c)
    by_traveller = defaultdict(list)
    for c in out:
        by_traveller[c["traveller"]].append(c)
    for seq in by_traveller.values():
        for i, c in enumerate(seq):
            c["prev"] = seq[i - 1] if i else None
            c["next"] = seq[i + 1] if i + 1 < len(seq) else None
    return out


def _keep(c: dict, filters: dict) -> bool:
    return all(c[{"border_point": "bp"}.get(k, k)] == v for k, v in filters.items())


def _rows(counter: Counter) -> set:
    return {(*key, n) for key, n in counter.items() if n > 0}


def reference(code: str, crossings: list[dict], start: date, end: date, **filters):
    """The rows of report `code` as a set of tuples (R02: a list in month order)."""
    inside = [c for c in crossings if start <= c["day"] <= end and _keep(c, filters)]
    citizens = [c for c in inside if c["citizenship"] == "TJK"]
    exits = [c for c in citizens if c["direction"] == "exit"]
    if code == "R01":
        return _rows(Counter((c["bp"], c["direction"]) for c in inside))
    if code == "R02":
        months = Counter((f"{c['day']:%Y-%m}", c["direction"]) for c in citizens)
        return [
            [
                f"{m:%Y-%m}",
                months[f"{m:%Y-%m}", "exit"],
                months[f"{m:%Y-%m}", "entry"],
                months[f"{m:%Y-%m}", "entry"] - months[f"{m:%Y-%m}", "exit"],
            ]
            for m in months_overlapping(start, end)
        ]
    if code == "R03":
        return _rows(Counter((c["country"],) for c in exits))
    if code == "R04":
        return _rows(Counter((c["purpose"], c["sex"]) for c in exits))
    if code == "R05":
        return _rows(Counter((age_group_of(c["birth"], c["day"]), c["sex"]) for c in exits))
    if code == "R06":
        return _rows(Counter((c["region"],) for c in exits))
    if code == "R07":
        return _rows(
            Counter((c["country"], c["region"], c["sex"]) for c in exits if c["purpose"] == "work")
        )
    if code == "R08":
        return _rows(
            Counter((c["citizenship"], c["direction"]) for c in inside if c["citizenship"] != "TJK")
        )
    if code == "R09":
        return _rows(Counter((c["country"], _return_band(c)) for c in exits))
    if code == "R10":
        return _rows(
            Counter((c["country"], _arrival_band(c)) for c in citizens if c["direction"] == "entry")
        )
    if code == "R11":
        return _rows(_abroad_on(crossings, end, filters))
    raise ValueError(code)


def _return_band(c: dict) -> str:
    nxt = c["next"]
    if nxt is None:
        return "not_returned"
    if nxt["direction"] == "exit":
        return "unmatched"
    return band_of((nxt["day"] - c["day"]).days)


def _arrival_band(c: dict) -> str:
    prev = c["prev"]
    if prev is None or prev["direction"] != "exit":
        return "unmatched"
    return band_of((c["day"] - prev["day"]).days)


def _abroad_on(crossings: list[dict], end: date, filters: dict) -> Counter:
    last: dict[int, dict] = {}
    for c in crossings:  # ordered by traveller, date, id: the last one kept is the latest
        if c["citizenship"] == "TJK" and c["day"] <= end:
            last[c["traveller"]] = c
    return Counter(
        (c["country"], band_of((end - c["day"]).days))
        for c in last.values()
        if c["direction"] == "exit" and _keep(c, filters)
    )
