"""`safar import-crossings FILE.csv`: historical crossings in bulk, with the registry's guarantees.

The file is read as a stream, in chunks. Each row is checked against in-memory sets of the
reference codes; bad rows go to FILE.rejects.csv (line number, reason, then the row as it was). Each chunk
is one transaction: its new travellers and crossings are inserted in bulk and the report cells
get the chunk's difference (computed in memory), so a crash never leaves a chunk half-written
and the cells always match the crossings. A card number already stored with the same data
counts as already present (importing a file twice stores nothing new); with different data,
or repeated in the file with different data, it is a conflict and goes to the rejects file.
"""

import csv
import gc
import heapq
import logging
import marshal
import os
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from operator import itemgetter
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from safar.core.models import AuditEvent, BorderPoint, Country, District, Purpose, Region

from . import rules
from .aggregates import (
    FACT_FIELDS,
    apply_delta,
    new_delta,
    stage_delta,
    traveller_contributions,
)
from .bulk import (
    indexes_deferred,
    insert_crossings,
    insert_travellers,
    reserve_ids,
    restore_indexes,
    stage,
)
from .models import Cell, Crossing, Traveller

REQUIRED = (
    "card_number",
    "direction",
    "crossed_on",
    "border_point",
    "citizenship",
    "passport_number",
    "birth_date",
    "sex",
    "purpose",
    "country",
    "region",
)
OPTIONAL = ("surname", "given_names", "district")
EXPECTED_HEADER = ",".join(REQUIRED)
# At most this many rows per write transaction (and per sorted run of an unsorted file) …
CHUNK_SIZE = 250_000
# … and at most about this much work: other writers wait for the import between its chunks
# (SQLite's busy timeout is 20 s). Longer transactions import faster: 5 s met the one-minute
# target for a million unsorted rows where 2-3 s did not (docs/benchmarks.md).
TRANSACTION_SECONDS = 5.0
# From safar.crossings.rules: the fast path accepts only values already in their stored form.
CARD_RE = rules.CARD_NUMBER_RE
PASSPORT_RE = rules.PASSPORT_NUMBER_RE
DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
EARLIEST_BIRTH = rules.EARLIEST_BIRTH
CITIZEN = rules.CITIZEN_COUNTRY
# A rejects file starts with these two columns; imported again (fixed), they are skipped.
REJECTS_COLUMNS = ("line", "reason")
# Rows per block of a sorted run's temporary file (see _DateSorter).
RUN_BLOCK_ROWS = 2_000
# A value starting with one of these is a formula to a spreadsheet: in the rejects file it gets
# a leading apostrophe (shown as text), which an import takes off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

log = logging.getLogger(__name__)


class ImportFileError(Exception):
    """The file cannot be imported at all (wrong header, empty, unreadable): nothing stored."""


class ImportStopped(ImportFileError):
    """The file could not be read to its end (a broken line): the import stopped there.

    The rows before that line were checked and stored (`result` holds the counts); the message
    says how many, and that the rest of the file was not read.
    """

    def __init__(self, message: str, result: "ImportResult"):
        super().__init__(message)
        self.result = result


@dataclass
class ImportResult:
    path: Path
    stored: int = 0
    already_present: int = 0
    rejected: int = 0
    conflicts: int = 0
    rejects_path: Path | None = None
    problems: list[tuple[int, str]] = field(default_factory=list)
    # False when the import stopped before the end of the file (a broken line, an error).
    finished: bool = False

    @property
    def rows(self) -> int:
        return self.stored + self.already_present + self.rejected + self.conflicts

    def summary(self) -> str:
        text = (
            f"{self.path.name}: {self.stored:,} stored, {self.already_present:,} already "
            f"present, {self.rejected:,} rejected, {self.conflicts:,} conflicts"
        )
        if self.rejects_path is not None:
            text += f" (see {self.rejects_path})"
        return text


def rejects_path_for(path: Path) -> Path:
    """FILE.csv → FILE.rejects.csv, beside the input."""
    stem = path.name[:-4] if path.name.lower().endswith(".csv") else path.name
    return path.with_name(f"{stem}.rejects.csv")


def _parse_header(path: Path, first: list[str] | None) -> tuple[str, ...]:
    """The file's columns (without a rejects file's line and reason), or ImportFileError."""
    if first is None or not any(value.strip() for value in first):
        raise ImportFileError(
            f"{path}: the file is empty; the first line must be the header "
            f"{EXPECTED_HEADER} (optionally followed by {','.join(OPTIONAL)})"
        )
    header = tuple(value.strip().lower() for value in first)
    if header[: len(REJECTS_COLUMNS)] == REJECTS_COLUMNS:
        header = header[len(REJECTS_COLUMNS) :]
    extra = header[len(REQUIRED) :]
    if (
        header[: len(REQUIRED)] != REQUIRED
        or not set(extra) <= set(OPTIONAL)
        or len(set(extra)) != len(extra)
    ):
        found = ",".join(first)
        found = found if len(found) <= 300 else found[:300] + "…"
        raise ImportFileError(
            f"{path}: wrong header on line 1.\n  expected: {EXPECTED_HEADER}\n"
            f"  (optionally followed by any of: {','.join(OPTIONAL)})\n  found:    {found}"
        )
    return header


class _Checker:
    """Turns a CSV row into clean values, or says what is wrong with it."""

    def __init__(self, header: tuple[str, ...]):
        self.width = len(header)
        self.position = {name: i for i, name in enumerate(header)}
        self.border_points = set(BorderPoint.objects.values_list("code", flat=True))
        self.countries = set(Country.objects.values_list("code", flat=True))
        self.purposes = set(Purpose.objects.values_list("code", flat=True))
        self.regions = set(Region.objects.values_list("code", flat=True))
        self.districts = dict(District.objects.values_list("code", "region_id"))
        self.today = timezone.localdate()
        self.earliest = rules.earliest_crossing()
        self.dates: dict[str, date | None] = {}
        # For the fast path: each code as written in the usual spellings → the stored code.
        self.fast = {
            name: _spellings(codes)
            for name, codes in (
                ("bp", self.border_points),
                ("country", self.countries),
                ("purpose", self.purposes),
                ("region", self.regions),
                ("district", self.districts),
            )
        }
        self.fast["direction"] = _spellings({"entry", "exit"})
        self.fast["sex"] = _spellings({"M", "F"})
        # The fast path's lookups, bound once (a million rows pay for each attribute access).
        self.lookups = tuple(
            self.fast[name].get
            for name in ("direction", "bp", "country", "sex", "purpose", "region", "district")
        )
        at = self.position
        self.optional_at = (at.get("surname"), at.get("given_names"), at.get("district"))

    def date(self, text: str) -> date | None:
        try:
            return self.dates[text]
        except KeyError:
            pass
        value = None
        if DATE_RE.fullmatch(text):
            try:
                value = date.fromisoformat(text)
            except ValueError:
                value = None
        if len(self.dates) < 200_000:
            self.dates[text] = value
        return value

    def check(self, fields: list[str]) -> tuple | str:
        """Like `check_slowly`, but first tries the common case (values already in canonical
        form, dates seen before) with dictionary lookups only; anything else takes the slow,
        explaining path, so both give the same answer."""
        if len(fields) == self.width:
            direction_of, bp_of, country_of, sex_of, purpose_of, region_of, district_of = (
                self.lookups
            )
            date_of = self.dates.get
            card = fields[0]
            direction = direction_of(fields[1])
            crossed_on = date_of(fields[2])
            bp = bp_of(fields[3])
            citizenship = country_of(fields[4])
            passport = fields[5]
            birth = date_of(fields[6])
            sex = sex_of(fields[7])
            purpose = purpose_of(fields[8])
            country = country_of(fields[9])
            region_text = fields[10]
            region = region_of(region_text) if region_text else None
            if (
                direction
                and crossed_on
                and bp
                and citizenship
                and birth
                and sex
                and purpose
                and country
                and (region or not region_text)
                and self.earliest <= crossed_on <= self.today
                and EARLIEST_BIRTH <= birth < crossed_on
                and CARD_RE.fullmatch(card)
                and PASSPORT_RE.fullmatch(passport)
                and (citizenship == CITIZEN or not region_text)
            ):
                at_surname, at_given, at_district = self.optional_at
                surname = fields[at_surname].strip() if at_surname is not None else ""
                given = fields[at_given].strip() if at_given is not None else ""
                district_text = fields[at_district] if at_district is not None else ""
                district = district_of(district_text) if district_text else None
                if (
                    len(surname) <= 100
                    and len(given) <= 100
                    and (district or not district_text)
                    and (citizenship == CITIZEN or not district_text)
                ):
                    if district is None:
                        return (
                            card,
                            direction,
                            crossed_on,
                            bp,
                            citizenship,
                            passport,
                            birth,
                            sex,
                            purpose,
                            country,
                            region,
                            surname,
                            given,
                            None,
                        )
                    in_region = self.districts[district]
                    if region is None or region == in_region:
                        return (
                            card,
                            direction,
                            crossed_on,
                            bp,
                            citizenship,
                            passport,
                            birth,
                            sex,
                            purpose,
                            country,
                            in_region,
                            surname,
                            given,
                            district,
                        )
        return self.check_slowly(fields)

    def check_slowly(self, fields: list[str]) -> tuple | str:
        """(card, direction, crossed_on, bp, citizenship, passport, birth, sex, purpose,
        country, region, surname, given_names, district) or the reason the row is refused.

        Reasons name the column and show codes, but never a passport number, a name or a date
        of birth (they end up in terminals and logs).
        """
        if len(fields) != self.width:
            return f"expected {self.width} values, found {len(fields)}"
        card = rules.normalise_card_number(fields[0])
        if refusal := rules.card_number_refusal(card):
            return f"card_number: {refusal.reason}"
        direction = fields[1].strip().lower()
        if direction != "exit" and direction != "entry":
            return f"direction: {_show(fields[1])} is not entry or exit"
        crossed_on = self.date(fields[2].strip())
        if crossed_on is None:
            return f"crossed_on: {_show(fields[2])} is not a date (YYYY-MM-DD)"
        if refusal := rules.crossing_date_refusal(
            crossed_on, today=self.today, earliest=self.earliest
        ):
            return f"crossed_on: {refusal.reason}"
        bp = fields[3].strip().upper()
        if bp not in self.border_points:
            return f"border_point: unknown code {_show(fields[3])}"
        citizenship = fields[4].strip().upper()
        if citizenship not in self.countries:
            return f"citizenship: unknown country code {_show(fields[4])}"
        passport = rules.normalise_passport_number(fields[5])
        if refusal := rules.passport_number_refusal(passport):
            return f"passport_number: {refusal.reason}"
        birth = self.date(fields[6].strip())
        if birth is None:
            return "birth_date: not a date (YYYY-MM-DD)"
        if refusal := rules.birth_date_refusal(birth, crossed_on=crossed_on):
            return f"birth_date: {refusal.reason}"
        sex = fields[7].strip().upper()
        if sex != "M" and sex != "F":
            return f"sex: {_show(fields[7])} is not M or F"
        purpose = fields[8].strip().lower()
        if purpose not in self.purposes:
            return f"purpose: unknown code {_show(fields[8])}"
        country = fields[9].strip().upper()
        if country not in self.countries:
            return f"country: unknown country code {_show(fields[9])}"
        region = fields[10].strip().upper() or None
        if region is not None and region not in self.regions:
            return f"region: unknown code {_show(fields[10])}"
        return self._optional(
            fields,
            (
                card,
                direction,
                crossed_on,
                bp,
                citizenship,
                passport,
                birth,
                sex,
                purpose,
                country,
                region,
            ),
        )

    def _optional(self, fields: list[str], values: tuple) -> tuple | str:
        at = self.position
        surname = fields[at["surname"]].strip() if "surname" in at else ""
        given = fields[at["given_names"]].strip() if "given_names" in at else ""
        if len(surname) > 100 or len(given) > 100:
            return "surname or given_names: longer than 100 characters"
        district = fields[at["district"]].strip().upper() or None if "district" in at else None
        region = values[10]
        in_region = None
        if district is not None:
            in_region = self.districts.get(district)
            if in_region is None:
                return f"district: unknown code {_show(fields[at['district']])}"
        refused = rules.residence_refusals(
            citizenship=values[4], region=region, district=district, district_region=in_region
        )
        for name in ("region", "district"):
            if name in refused:
                return f"{name}: {refused[name].reason}"
        if region is None:
            region = in_region
        return (*values[:10], region, surname, given, district)


def _spellings(codes) -> dict[str, str]:
    """code → code, for the code as stored, in upper and in lower case."""
    out = {}
    for code in codes:
        out[code.upper()] = out[code.lower()] = out[code] = code
    return out


def _show(value: str) -> str:
    value = value.strip()
    return repr(value if len(value) <= 20 else value[:20] + "…")


class _Import:
    def __init__(self, path: Path, header: tuple[str, ...], user, on_problem, result: ImportResult):
        self.path = path
        self.header = header
        self.user = user
        self.on_problem = on_problem
        self.checker = _Checker(header)
        self.result = result
        # Which optional columns take part in "same data" (absent columns say nothing).
        self.compare_names = "surname" in header, "given_names" in header, "district" in header
        self.rejects_file = None
        self.rejects_writer = None
        self.days = _Days()
        self.iso = _IsoText()

    # -- rejects ------------------------------------------------------------------------------
    def reject(self, line: int, fields: list[str], reason: str, *, conflict: bool = False) -> None:
        if conflict:
            self.result.conflicts += 1
        else:
            self.result.rejected += 1
        if len(self.result.problems) < 1000:
            self.result.problems.append((line, reason))
        if self.on_problem is not None:
            self.on_problem(line, reason)
        if self.rejects_writer is None:
            self.result.rejects_path = rejects_path_for(self.path)
            self.rejects_file = _open_private(self.result.rejects_path)
            self.rejects_writer = csv.writer(self.rejects_file, lineterminator="\n")
            # Line and reason first: a row with too few or too many values keeps them all.
            self.rejects_writer.writerow((*REJECTS_COLUMNS, *self.header))
        self.rejects_writer.writerow((line, reason, *map(escape_formula, fields)))

    def close(self) -> None:
        if self.rejects_file is not None:
            self.rejects_file.close()

    # -- one chunk ----------------------------------------------------------------------------
    def same_data(self, row: tuple) -> tuple:
        """The parts of a clean row that must match a stored card for it to be the same card."""
        with_surname, with_given, with_district = self.compare_names
        return (
            *row[1:11],
            row[11] if with_surname else None,
            row[12] if with_given else None,
            row[13] if with_district else None,
        )

    def stored_data(self, cards: list[str]) -> dict[str, tuple]:
        """The chunk's card numbers already stored, with their data (one join, not IN lists)."""
        with_surname, with_given, with_district = self.compare_names
        stage("safar_import_card", "card_number varchar(16)", [(card,) for card in cards])
        found = {}
        day = self.days.__getitem__  # a date for each value read
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT c.card_number, c.direction, {_date_column('c.crossed_on')}, "
                f"c.border_point_id, t.citizenship_id, t.passport_number, "
                f"{_date_column('t.birth_date')}, c.sex, c.purpose_id, "
                "c.country_id, c.region_id, c.surname, c.given_names, c.district_id "
                "FROM safar_import_card k "
                "JOIN crossings_crossing c ON c.card_number = k.card_number "
                "JOIN crossings_traveller t ON t.id = c.traveller_id"
            )
            for card, *values in cursor.fetchall():
                found[card] = (
                    values[0],
                    day(values[1]),
                    *values[2:5],
                    day(values[5]),
                    *values[6:10],
                    values[10] if with_surname else None,
                    values[11] if with_given else None,
                    values[12] if with_district else None,
                )
        return found

    def existing_travellers(self, keys: set[tuple]) -> dict[tuple, int]:
        """Stored travellers among these identities (one join on the identity index)."""
        stage(
            "safar_import_traveller",
            "citizenship_id varchar(3), passport_number varchar(20), birth_date date",
            [(citizenship, passport, self.iso[birth]) for citizenship, passport, birth in keys],
        )
        day = self.days.__getitem__  # a date for each value read
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT t.id, t.citizenship_id, t.passport_number, "
                f"{_date_column('t.birth_date')} "
                "FROM safar_import_traveller k JOIN crossings_traveller t "
                "ON t.citizenship_id = k.citizenship_id AND t.passport_number = k.passport_number "
                "AND t.birth_date = k.birth_date"
                # PostgreSQL: lock them (in id order) against concurrent writers of their cards.
                + ("" if connection.vendor == "sqlite" else " ORDER BY t.id FOR UPDATE OF t")
            )
            return {
                (citizenship, passport, day(birth)): pk
                for pk, citizenship, passport, birth in cursor.fetchall()
            }

    def store(self, chunk: list[tuple[int, list[str], tuple]]) -> float:
        """Store a chunk in one transaction; returns the seconds the transaction took.

        On SQLite (one writer at a time) the chunk's plan — the stored cards, travellers and
        history read, the new rows and the cell difference computed — is made before the write
        transaction, so that the transaction only writes and other writers wait less. When
        another connection committed anything meanwhile (`PRAGMA data_version` changed), the
        plan is made again inside the transaction, as on PostgreSQL, where the travellers'
        rows are locked (`existing_travellers`) instead.
        """
        plan = version = None
        if connection.vendor == "sqlite" and not connection.in_atomic_block:
            version = _data_version()
            plan = self.plan(chunk)
        started = time.perf_counter()
        with transaction.atomic():
            if plan is None or _data_version() != version:
                plan = self.plan(chunk)
            self.write(plan)
        seconds = time.perf_counter() - started
        self.result.stored += plan.stored
        self.result.already_present += plan.present
        for line, fields, reason in plan.conflicts:
            self.reject(line, fields, reason, conflict=True)
        return seconds

    def plan(self, chunk: list[tuple[int, list[str], tuple]]) -> "_Plan":
        """What storing the chunk writes, from what is stored now (the registry is only read;
        the keys and the cell difference go to the connection's own temporary tables)."""
        stored = self.stored_data([row[0] for _line, _fields, row in chunk])
        # The chunk's first row of each new card number (its data compared only when the
        # number comes again, which is rare).
        first: dict[str, tuple] = {}
        new: list[tuple] = []
        plan = _Plan()
        for line, fields, row in chunk:
            known = stored.get(row[0])
            if known is None:
                earlier = first.setdefault(row[0], row)
                if earlier is row:
                    new.append(row)
                    continue
                known = self.same_data(earlier)
            if known == self.same_data(row):
                plan.present += 1
            else:
                reason = (
                    "conflict: card number already stored with "
                    f"different data ({_differences(known, self.same_data(row))})"
                )
                plan.conflicts.append((line, fields, reason))
        if new:
            self.plan_insert(new, plan)
        plan.stored = len(new)
        return plan

    def write(self, plan: "_Plan") -> None:
        """The plan's travellers, crossings and cell difference, inside the transaction."""
        if not plan.stored:
            return
        insert_travellers(plan.travellers)
        insert_crossings(plan.crossings, source=Crossing.Source.IMPORT, user_id=_user_id(self.user))
        apply_delta(plan.delta, staged=plan.staged)

    def plan_insert(self, rows: list[tuple], plan: "_Plan") -> None:
        # Each row's traveller identity (citizenship, passport, birth date), and each identity's
        # first new day.
        keys = [(row[4], row[5], row[6]) for row in rows]
        first_day: dict[tuple, date] = {}
        for key, row in zip(keys, rows, strict=True):
            day = first_day.get(key)
            if day is None or row[2] < day:
                first_day[key] = row[2]
        existing = self.existing_travellers(set(first_day))  # also locks them on PostgreSQL
        # The known travellers' stored crossings that the new ones can change, read before the
        # new rows go in.
        history = self.history({pk: first_day[key] for key, pk in existing.items()})
        new_keys = [key for key in first_day if key not in existing]
        ids = dict(zip(new_keys, reserve_ids(Traveller, len(new_keys)), strict=True))
        # Dates go in as ISO text: SQLite's adapter is a Python call per value.
        iso = self.iso.__getitem__
        plan.travellers = [
            (pk, c, passport, iso(birth)) for (c, passport, birth), pk in ids.items()
        ]
        ids.update(existing)
        crossings = []
        added: dict[tuple, list] = {}
        for pk, key, row in zip(reserve_ids(Crossing, len(rows)), keys, rows, strict=True):
            crossings.append(
                (
                    pk,
                    row[0],
                    row[1],
                    iso(row[2]),
                    row[3],
                    ids[key],
                    row[11],
                    row[12],
                    row[7],
                    row[8],
                    row[9],
                    row[10],
                    row[13],
                )
            )
            facts = (pk, row[2], row[1], row[3], row[7], row[8], row[9], row[10] or "")
            group = added.get(key)
            if group is None:
                added[key] = [facts]
            else:
                group.append(facts)
        plan.crossings = crossings
        delta = new_delta()
        for key, facts in added.items():
            old = history.get(ids[key])
            if old is None:
                # A new traveller: nothing counted before, so the difference is all of them.
                if len(facts) > 1:
                    facts.sort(key=_in_order)
                traveller_contributions(key[0], key[2], facts, delta, 1)
            else:
                self.count_returning(key, facts, old, delta)
        plan.delta = delta
        plan.staged = stage_delta(delta)

    @staticmethod
    def count_returning(key: tuple, added: list, old: list, delta) -> None:
        """Add to `delta` what a known traveller's new crossings change in the cells (`old`:
        the tail of their stored crossings that `history` reads)."""
        citizenship, _passport, birth = key
        merged = sorted(old + added, key=_in_order)
        # Only the new crossings and the stored ones next to them (whose previous or next
        # crossing changed) count differently: the rest of the history cancels out.
        new_ids = {facts[0] for facts in added}
        touched = set(new_ids)
        last = len(merged) - 1
        for i, facts in enumerate(merged):
            if facts[0] in new_ids:
                if i > 0:
                    touched.add(merged[i - 1][0])
                if i < last:
                    touched.add(merged[i + 1][0])
        touched_old = touched - new_ids
        if touched_old:
            traveller_contributions(citizenship, birth, old, delta, -1, only=touched_old)
        traveller_contributions(citizenship, birth, merged, delta, 1, only=touched)

    def history(self, first_new_day: dict[int, date]) -> dict[int, list]:
        """Known travellers' stored crossings (as Facts, in order) from the second-last one
        before their first new day onwards, by traveller.

        That tail is enough: a new crossing changes only the counts of its neighbours, and a
        neighbour's own counts look one crossing further (the earliest neighbour is the last
        crossing before the first new day, and its previous one is read too). Everything
        earlier counts the same before and after, so it is not read.
        """
        if not first_new_day:
            return {}
        iso = self.iso
        stage(
            "safar_import_since",
            "traveller_id bigint, first_day date",
            [(pk, iso[day]) for pk, day in first_new_day.items()],
        )
        out: dict[int, list] = {}
        day = self.days.__getitem__  # a date for each value read
        # FACT_FIELDS, the date as text (see _date_column) and no region as ''.
        columns = [f"c.{name}" for name in FACT_FIELDS]
        columns[1] = _date_column("c.crossed_on")
        columns[-1] = f"COALESCE({columns[-1]}, '')"
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.traveller_id, "
                + ", ".join(columns)
                + " FROM (SELECT k.traveller_id, COALESCE(("
                "SELECT b.crossed_on FROM crossings_crossing b "
                "WHERE b.traveller_id = k.traveller_id AND b.crossed_on < k.first_day "
                "ORDER BY b.crossed_on DESC, b.id DESC LIMIT 1 OFFSET 1), %s) AS since "
                "FROM safar_import_since k) s "
                "JOIN crossings_crossing c "
                "ON c.traveller_id = s.traveller_id AND c.crossed_on >= s.since",
                [date.min],
            )
            for traveller_id, pk, crossed_on, *facts in cursor.fetchall():
                found = out.get(traveller_id)
                if found is None:
                    found = out[traveller_id] = []
                found.append((pk, day(crossed_on), *facts))
        # In order here rather than by an ORDER BY: a few crossings per traveller sort faster
        # in Python than the whole result in a temporary B-tree.
        for found in out.values():
            if len(found) > 1:
                found.sort(key=_in_order)
        return out


@dataclass
class _Plan:
    """What storing one chunk writes: counted, refused, and the rows and cells to insert."""

    stored: int = 0
    present: int = 0
    conflicts: list[tuple[int, list[str], str]] = field(default_factory=list)
    travellers: list[tuple] = field(default_factory=list)
    crossings: list[tuple] = field(default_factory=list)
    delta: dict = field(default_factory=dict)
    # The cells of `delta` are in the temporary table already (aggregates.stage_delta).
    staged: bool = False


class _Days(dict):
    """Dates read back from the database, by their value as read: ISO text on SQLite (see
    `_date_column`), dates on PostgreSQL. A chunk reads the same few thousand days again and
    again, so each is parsed once (`days[value]` is the date)."""

    def __missing__(self, value) -> date:
        if len(self) > 100_000:
            self.clear()
        day = self[value] = value if isinstance(value, date) else date.fromisoformat(value)
        return day


class _IsoText(dict):
    """date → its ISO text (what SQLite stores), each made once: `iso[day]`."""

    def __missing__(self, day: date) -> str:
        if len(self) > 100_000:
            self.clear()
        text = self[day] = day.isoformat()
        return text


def _date_column(column: str) -> str:
    """A date column for a raw SELECT. On SQLite, as text: a plain date column goes through
    Django's converter, which parses every value with a regular expression (the importer reads
    hundreds of thousands of them); `_Days` parses each day once instead."""
    return f"CAST({column} AS TEXT)" if connection.vendor == "sqlite" else column


def _data_version() -> int:
    """SQLite's count of commits by other connections, as this connection sees it."""
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA data_version")
        return cursor.fetchone()[0]


def _open_private(path: Path):
    """`path` opened for writing as text, readable and writable by its owner only: a rejects
    file holds whole rows of personal data (names, passport numbers, dates of birth). Never
    through a symbolic link."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(fd, 0o600)  # also when the file was already there
    return os.fdopen(fd, "w", newline="", encoding="utf-8")


def escape_formula(value: str) -> str:
    """A value a spreadsheet would take for a formula (`=`, `+`, `-`, `@`…) with an apostrophe
    before it, so that opening the rejects file runs nothing; `unescape_formula` undoes it."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def unescape_formula(value: str) -> str:
    """`escape_formula` undone: a value read back from a (fixed) rejects file."""
    if value.startswith("'") and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


# Facts in a traveller's order: date, then id.
_in_order = itemgetter(1, 0)


def _differences(known: tuple, row: tuple) -> str:
    names = (*REQUIRED[1:], *OPTIONAL)
    return ", ".join(name for name, a, b in zip(names, known, row, strict=True) if a != b)


def _user_id(user) -> int | None:
    return user.pk if user is not None and user.is_authenticated else None


def _records(reader, skip: int = 0) -> Iterator[tuple[int, list[str]]]:
    """(line number, values) of the rows that are not blank; the first `skip` values (a rejects
    file's line and reason) left out, and values escaped as text in a rejects file restored."""
    for fields in reader:
        if skip:
            fields = fields[skip:]
        # The first value (the card number) is almost never blank: test it before the rest.
        if fields and (fields[0].strip() or any(value.strip() for value in fields)):
            # One search of the joined row is cheaper than a test per value; rare rows with
            # an apostrophe anywhere (O'Neil) take the test per value.
            if "'" in ",".join(fields):
                fields = [unescape_formula(value) for value in fields]
            yield reader.line_num, fields


def import_crossings(
    path: Path | str,
    *,
    user=None,
    chunk_size: int = CHUNK_SIZE,
    transaction_seconds: float = TRANSACTION_SECONDS,
    progress: bool = False,
    on_problem: Callable[[int, str], None] | None = None,
) -> ImportResult:
    """Import a crossings CSV file (see the module docstring); returns the counts.

    Raises ImportFileError, with nothing stored, when the file is empty or its header is wrong;
    ImportStopped (an ImportFileError) when a line further on cannot be read: the rows before
    it are stored and the message says how many. Every import, finished or not, leaves one
    audit event with the counts. `on_problem(line, reason)` is called for every rejected row as
    it is found. A rejects file (fixed) can be imported as it is: its line and reason columns
    are skipped.
    """
    path = Path(path)
    _tune_connection()
    with open(path, newline="", encoding="utf-8-sig") as fh:
        result = ImportResult(path=path)
        stopped: str | None = "error"
        try:
            stopped = _import_file(
                path, fh, result, user, chunk_size, transaction_seconds, progress, on_problem
            )
        except ImportFileError as exc:
            stopped = str(exc).removeprefix(f"{path}: ").split("\n")[0]
            raise
        except BaseException as exc:
            # An error of the program or the database: its type only (its text may quote data).
            stopped = f"error: {type(exc).__name__}"
            raise
        finally:
            result.finished = stopped is None
            _audit(user, path, result, stopped)
    if stopped is not None:
        raise ImportStopped(_stopped_message(path, stopped, result), result)
    return result


def _import_file(
    path: Path,
    fh,
    result: ImportResult,
    user,
    chunk_size: int,
    seconds: float,
    progress: bool,
    on_problem,
) -> str | None:
    """Import the open file into `result`; None when it was read to its end, else why not."""
    reader = csv.reader(fh)
    try:
        first = next(reader, None)
    except UnicodeDecodeError:
        raise ImportFileError(f"{path}: not UTF-8 text") from None
    header = _parse_header(path, first)
    skip = len(first) - len(header) if first is not None else 0
    rejects_path_for(path).unlink(missing_ok=True)  # a stale one from an earlier run
    job = _Import(path, header, user, on_problem, result)
    bar = _progress_bar(path, progress)
    try:
        with _cycle_collector_paused(), _first_load_indexes_deferred():
            return _read_and_store(job, reader, skip, chunk_size, seconds, bar)
    finally:
        bar.close()
        job.close()


def _audit(user, path: Path, result: ImportResult, stopped: str | None) -> None:
    """The import's audit event: the file name and the counts, and why it stopped early.

    Written in its own short transaction; when the database refuses even that (the error that
    stopped the import may be the database's), the failure is logged and the import's own
    error, not this one, reaches the caller."""
    query = {
        "file": path.name,
        "stored": result.stored,
        "already_present": result.already_present,
        "rejected": result.rejected,
        "conflicts": result.conflicts,
        "finished": result.finished,
    }
    if stopped is not None:
        query["stopped"] = stopped
    try:
        with transaction.atomic():
            AuditEvent.record(
                user=user,
                action=AuditEvent.Action.IMPORT,
                object_type=Crossing._meta.label_lower,
                query=query,
            )
    except DatabaseError:
        log.exception("the audit event of the import of %s could not be written", path.name)


def _stopped_message(path: Path, reason: str, result: ImportResult) -> str:
    """What happened to a file that could not be read to its end, with the exact counts."""
    text = (
        f"{path}: {reason}; the import stopped there and the rest of the file was not read. "
        f"Before it: {result.stored:,} rows stored, {result.already_present:,} already "
        f"present, {result.rejected:,} rejected, {result.conflicts:,} conflicts"
    )
    if result.rejects_path is not None:
        text += f" (see {result.rejects_path})"
    return (
        text + ". Correct that line and import the file again: the rows already stored will "
        "count as already present."
    )


def _read_and_store(
    job: _Import, reader, skip: int, chunk_size: int, seconds: float, bar
) -> str | None:
    """Check and store the file's rows. Returns None at the end of the file, or why it stopped
    early (a line that cannot be read): the rows before that line are stored first, so that the
    counts say exactly what happened.

    Rows are stored in date order: while the file comes in that order they go straight to the
    database; from the first row out of order (see `_Loader.in_order`), that row, the rows not
    yet stored and the rest of the file are sorted by date (see `_DateSorter`) and stored from
    the sorted runs. Rejected rows are written as they are found, in file order; conflicts when
    their chunk is stored.
    """
    loader = _Loader(job, chunk_size, seconds, bar)
    sorter: _DateSorter | None = None
    seen: set[int] = set()  # hashes of the good rows' card numbers
    stopped = None
    records = _records(reader, skip)
    try:
        while True:
            try:
                line, fields = next(records)
            except StopIteration:
                break
            except UnicodeDecodeError:
                stopped = f"line {reader.line_num + 1}: not UTF-8 text"
                break
            except csv.Error as exc:
                stopped = f"line {reader.line_num}: {exc}"
                break
            checked = job.checker.check(fields)
            if isinstance(checked, str):
                job.reject(line, fields, checked)
                bar.update(1)
                continue
            card = hash(checked[0])
            repeated = card in seen
            seen.add(card)
            if sorter is None:
                if loader.in_order(checked[2]):
                    loader.add(line, fields, checked)
                    continue
                sorter = _DateSorter(chunk_size)
                sorter.take(loader.take_pending())
            if repeated:
                # The card number came before: this row is compared with its first occurrence
                # (which wins), so it is stored after every row that is not a repeat.
                sorter.repeat(line, fields, checked)
            else:
                sorter.add(line, fields, checked)
        if sorter is not None:
            for line, fields, checked in sorter.rows(job.checker.dates):
                loader.add(line, fields, checked)
        loader.flush()
    finally:
        if sorter is not None:
            sorter.close()
    return stopped


class _Loader:
    """Stores rows in chunks, each in one short write transaction.

    A chunk holds as many rows as the last ones stored at a rate that fills `seconds` (at most
    `max_rows`): on SQLite one writer holds the database at a time, and the web's writers
    wait for the import (20 s at most, the busy timeout) between its chunks, so no chunk may
    take long, whatever the machine's load. Between chunks the next rows are read and
    checked, outside any transaction, and other writers get their turn.
    """

    FIRST_ROWS = 5_000
    FEWEST_ROWS = 2_000
    # A file "in date order" may have the rows of a few weeks in any order.
    SLACK = timedelta(days=31)

    def __init__(self, job: _Import, max_rows: int, seconds: float, bar):
        self.job = job
        self.max_rows = max(1, max_rows)
        self.seconds = seconds
        self.bar = bar
        self.size = min(self.max_rows, self.FIRST_ROWS)
        self.pending: list[tuple[int, list[str], tuple]] = []
        # The latest date stored so far, and the latest of the rows waiting to be stored.
        self.stored_up_to = date.min
        self.pending_up_to = date.min

    def in_order(self, day: date) -> bool:
        """Whether a row of this day keeps the file in date order: not before a day stored
        already, nor weeks before the rows waiting to be stored."""
        return day >= self.stored_up_to and day + self.SLACK >= self.pending_up_to

    def add(self, line: int, fields: list[str], checked: tuple) -> None:
        self.pending.append((line, fields, checked))
        if checked[2] > self.pending_up_to:
            self.pending_up_to = checked[2]
        if len(self.pending) >= self.size:
            self.flush()

    def take_pending(self) -> list[tuple[int, list[str], tuple]]:
        """The rows waiting to be stored, handed over (to be sorted) instead."""
        pending, self.pending = self.pending, []
        return pending

    def flush(self) -> None:
        if not self.pending:
            return
        chunk, self.pending = self.pending, []
        elapsed = max(self.job.store(chunk), 1e-3)  # the write transaction's seconds
        # The next chunk fills the time at this chunk's rate, growing or shrinking at most
        # twofold at a time (one slow chunk on a busy machine does not swing it too far).
        fit = int(len(chunk) * self.seconds / elapsed)
        fewest = min(self.FEWEST_ROWS, self.max_rows)
        self.size = max(fewest, min(self.max_rows, self.size * 2, max(self.size // 2, fit)))
        self.stored_up_to = max(self.stored_up_to, max(row[2][2] for row in chunk))
        self.bar.update(len(chunk))


class _DateSorter:
    """The rows of a file that does not come in date order, given back sorted by date (then
    line), with their checked values: runs of `run_rows` rows sorted in memory and written to
    temporary files (all but the last), merged.

    In date order, each chunk touches the report cells of a few weeks, not of every day of the
    file, and a returning traveller's new crossings mostly come after the stored ones; an
    unsorted million rows took twice as long without it. Rows repeating an earlier card number
    come after all the others, in file order. The temporary files (whole rows of personal
    data) are in a private directory, removed by `close`. A run file is blocks of rows in
    `marshal`'s format (each after its length), dates as ISO text: written and read back at
    twice the speed of CSV, and the rows need not be checked again; only this process writes
    and reads them.
    """

    def __init__(self, run_rows: int):
        self.run_rows = max(1, run_rows)
        # [day, line, values, checked values] (see `_spilled` for the files).
        self.run: list[list] = []
        self.repeats: list[list] = []
        self.repeats_file: Path | None = None  # older repeats, when there are many
        self.folder: str | None = None
        self.files: list[Path] = []
        self.iso = _IsoText()

    def add(self, line: int, fields: list[str], checked: tuple) -> None:
        # Lists compare by day, then line (as unique as the lines), so the merge compares in C.
        self.run.append([self.iso[checked[2]], line, fields, checked])
        if len(self.run) >= self.run_rows:
            self._spill()

    def repeat(self, line: int, fields: list[str], checked: tuple) -> None:
        self.repeats.append([None, line, fields, checked])
        if len(self.repeats) >= self.run_rows:  # a file holding another file twice
            if self.repeats_file is None:
                self.repeats_file = self._new_file(name="repeats")
                self.files.pop()  # not a run to merge
            with open(self.repeats_file, "ab") as fh:
                self._write(fh, self.repeats)
            self.repeats = []

    def take(self, rows: list[tuple[int, list[str], tuple]]) -> None:
        """Rows checked already, in file order (those a loader had not stored yet)."""
        cards: set[str] = set()
        for line, fields, checked in rows:
            if checked[0] in cards:
                self.repeat(line, fields, checked)
            else:
                cards.add(checked[0])
                self.add(line, fields, checked)

    def _spill(self) -> None:
        self.run.sort(key=itemgetter(0))  # stable: lines stay in order within a day
        with open(self._new_file(), "wb") as fh:
            self._write(fh, self.run)
        self.run = []

    def _write(self, fh, rows: list[list]) -> None:
        iso = self.iso
        for start in range(0, len(rows), RUN_BLOCK_ROWS):
            block = [
                # marshal takes no dates: the crossing and birth dates as text.
                [day, line, fields, (*c[:2], iso[c[2]], *c[3:6], iso[c[6]], *c[7:])]
                for day, line, fields, c in rows[start : start + RUN_BLOCK_ROWS]
            ]
            data = marshal.dumps(block)
            fh.write(len(data).to_bytes(4, "little"))
            fh.write(data)

    def _new_file(self, name: str = "") -> Path:
        if self.folder is None:
            self.folder = tempfile.mkdtemp(prefix="safar-import-")  # mode 0700
        path = Path(self.folder) / (name or f"run-{len(self.files)}")
        self.files.append(path)
        return path

    def rows(self, dates: dict[str, date | None]) -> Iterator[tuple[int, list[str], tuple]]:
        """(line, values, checked values) in date order, then the repeats in file order.
        `dates`: ISO text → date, for the dates read back from the files (the checker's)."""
        self.run.sort(key=itemgetter(0))  # stable: lines stay in order within a day
        last, self.run = self.run, []
        handles = [open(path, "rb") for path in self.files]
        try:
            # The last run is merged from memory, never written.
            merged = heapq.merge(_given_up(last), *map(_run_rows, handles))
            yield from _restored(merged, dates)
        finally:
            for handle in handles:
                handle.close()
        if self.repeats_file is not None:
            with open(self.repeats_file, "rb") as fh:
                yield from _restored(_run_rows(fh), dates)
        yield from _restored(self.repeats, dates)

    def close(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None


def _restored(rows, dates: dict) -> Iterator[tuple[int, list[str], tuple]]:
    """(line, values, checked values) of sorter rows, the dates of those read from a file
    (text) made dates again."""
    for _day, line, fields, c in rows:
        if c[2].__class__ is str:
            c = (*c[:2], _date_of(dates, c[2]), *c[3:6], _date_of(dates, c[6]), *c[7:])
        yield line, fields, c


def _date_of(dates: dict, text: str) -> date:
    found = dates.get(text)
    return found if found is not None else date.fromisoformat(text)


def _run_rows(fh) -> Iterator[list]:
    """The rows of a run file (see `_DateSorter._spill`), a block at a time."""
    while size := fh.read(4):
        yield from marshal.loads(fh.read(int.from_bytes(size, "little")))


def _given_up(rows: list) -> Iterator:
    """The list's items in order, each let go of once given (a sorted run's memory goes as
    its rows are stored)."""
    for i in range(len(rows)):
        row, rows[i] = rows[i], None
        yield row


def _deferrable_indexes() -> list[tuple]:
    """The indexes a first load builds once at the end: the crossings' date and name indexes,
    the travellers' passport index and the cells' covering index for the reports (each chunk
    upserts the cells through their unique index; a count changed also moves the cell's entry
    in `cell_read`). The traveller sequence index stays, as each chunk reads returning
    travellers' crossings through it; unique constraints and `cell_zero` always stay."""
    crossing = [
        (Crossing, index)
        for index in Crossing._meta.indexes
        if index.name != "crossing_traveller_seq"
    ]
    return (
        crossing
        + [(Traveller, index) for index in Traveller._meta.indexes]
        + [(Cell, index) for index in Cell._meta.indexes if index.name == "cell_read"]
    )


@contextmanager
def _first_load_indexes_deferred():
    """Into an empty registry, the rows go in without the deferrable indexes, which are built
    at the end (also after an error). Outside a first load, or inside a caller's
    transaction, nothing changes; indexes missing after an import that was killed before it
    could rebuild them are built first."""
    if connection.in_atomic_block:
        yield
        return
    deferrable = _deferrable_indexes()
    restore_indexes(deferrable)
    if Crossing.objects.exists():
        yield
        return
    with indexes_deferred(deferrable):
        yield


@contextmanager
def _cycle_collector_paused():
    """Python's cycle collector off for the import, back as it was afterwards.

    A chunk is millions of small tuples that live until it is stored, and the collector walks
    every one of them again and again as they pile up (at a million rows that took 10–15 s of
    CPU). They hold no reference cycles, so reference counting frees them without it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _tune_connection() -> None:
    """SQLite: a 1 GiB page cache (default 2 MiB) keeps the tables and indexes being filled
    in memory (at a million rows crossings and cells take ~700 MiB), the file is read through
    memory mapping (no read() call per page), and temporary tables live in memory too. Bounded,
    and only for this connection."""
    # SQLite refuses to change temp_store inside a transaction (an import called from a test or
    # a caller's atomic block): then both stay as they are.
    if connection.vendor == "sqlite" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -1048576")
            cursor.execute("PRAGMA mmap_size = 4294967296")
            cursor.execute("PRAGMA temp_store = MEMORY")


def count_lines(path: Path) -> int:
    """Lines in the file (fast, in binary), for the progress bar's total."""
    lines = 0
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            lines += block.count(b"\n")
    return lines


def _progress_bar(path: Path, enabled: bool):
    from tqdm import tqdm

    total = max(count_lines(path) - 1, 0) if enabled else None
    return tqdm(
        total=total,
        disable=not enabled,
        unit="rows",
        unit_scale=True,
        mininterval=0.5,
        desc=path.name,
    )
