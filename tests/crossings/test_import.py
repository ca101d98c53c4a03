"""`safar import-crossings`: bad rows refused with their line, re-imports and conflicts, chunks."""

import csv
import gc
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from safar.core.models import AuditEvent
from safar.crossings import importer
from safar.crossings.aggregates import compare_with_rebuild
from safar.crossings.benchmarks import write_unsorted
from safar.crossings.importer import EXPECTED_HEADER, ImportFileError, import_crossings
from safar.crossings.models import Cell, Crossing, Traveller
from safar.crossings.synthetic import write_csv

HEADER = EXPECTED_HEADER.split(",")
GOOD = [
    "K1",
    "exit",
    "2025-03-01",
    "DYU",
    "TJK",
    "400000001",
    "1990-01-01",
    "M",
    "work",
    "RUS",
    "TJ-SU",
]


def row(**changes):
    values = dict(zip(HEADER, GOOD, strict=True))
    values.update(changes)
    return [values[name] for name in HEADER]


def write(path, rows, header=HEADER):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        if header is not None:
            writer.writerow(header)
        writer.writerows(rows)
    return path


def rejects(path):
    with open(path.with_name(path.name.replace(".csv", ".rejects.csv")), encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.django_db
def test_good_rows_are_stored_with_their_cells_and_one_audit_event(tmp_path):
    path = write(
        tmp_path / "cards.csv",
        [
            row(),
            row(card_number="K2", direction="entry", crossed_on="2025-06-01"),
            row(card_number="K3", citizenship="UZB", passport_number="AA1234567", region=""),
        ],
    )
    result = import_crossings(path)
    assert (result.stored, result.already_present, result.rejected, result.conflicts) == (
        3,
        0,
        0,
        0,
    )
    assert Traveller.objects.count() == 2
    assert set(Crossing.objects.values_list("source", flat=True)) == {"import"}
    assert compare_with_rebuild() == []
    event = AuditEvent.objects.get(action="import")
    assert event.query["file"] == "cards.csv" and event.query["stored"] == 3
    assert not (tmp_path / "cards.rejects.csv").exists()


@pytest.mark.django_db
def test_bad_rows_are_refused_with_line_and_reason_and_the_rest_is_stored(tmp_path):
    path = write(
        tmp_path / "mixed.csv",
        [
            row(card_number="K1"),
            row(card_number="K2", crossed_on="2025-02-30"),
            row(card_number="K3", border_point="XYZ"),
            row(card_number="K4", citizenship="ZZZ"),
            row(card_number="K5", purpose="holiday"),
            row(card_number="K6", region="TJ-XX"),
            row(card_number="K7", sex="X"),
            row(card_number="K8", direction="out"),
            row(card_number="K9", birth_date="2030-01-01"),
            row(card_number="K10", crossed_on="2099-01-01"),
            row(card_number="K11")[:5],
            row(card_number="K12", crossed_on="20250301"),
            row(card_number="K13"),
        ],
    )
    result = import_crossings(path)
    assert result.stored == 2 and result.rejected == 11
    refused = rejects(path)
    assert [r["line"] for r in refused] == [str(n) for n in range(3, 14)]
    reasons = [r["reason"] for r in refused]
    assert reasons[0].startswith("crossed_on:") and "not a date" in reasons[0]
    assert reasons[1].startswith("border_point: unknown code 'XYZ'")
    assert reasons[2].startswith("citizenship:") and reasons[3].startswith("purpose:")
    assert reasons[4].startswith("region:") and reasons[5].startswith("sex:")
    assert reasons[6].startswith("direction:") and reasons[7].startswith("birth_date:")
    assert "future" in reasons[8] and reasons[9] == "expected 11 values, found 5"
    assert refused[0]["card_number"] == "K2"
    assert compare_with_rebuild() == []


@pytest.mark.django_db
def test_refusals_never_show_a_passport_number_or_a_birth_date(tmp_path):
    path = write(
        tmp_path / "private.csv",
        [row(passport_number="40-00-01"), row(card_number="K2", birth_date="1990-13-01")],
    )
    result = import_crossings(path)
    assert result.rejected == 2
    assert all(
        "40-00-01" not in reason and "1990-13" not in reason for _line, reason in result.problems
    )


@pytest.mark.django_db
def test_importing_the_same_file_again_stores_nothing_new(tmp_path):
    path = write(
        tmp_path / "again.csv",
        [row(), row(card_number="K2", direction="entry", crossed_on="2025-05-01")],
    )
    import_crossings(path)
    cells = list(Cell.objects.order_by("pk").values_list("pk", "count"))
    second = import_crossings(path)
    assert (second.stored, second.already_present) == (0, 2)
    assert Crossing.objects.count() == 2
    assert list(Cell.objects.order_by("pk").values_list("pk", "count")) == cells


@pytest.mark.django_db
def test_a_stored_card_number_with_different_data_is_a_conflict(tmp_path):
    import_crossings(write(tmp_path / "first.csv", [row()]))
    path = write(tmp_path / "second.csv", [row(country="KAZ", sex="F"), row(card_number="K2")])
    result = import_crossings(path)
    assert (result.stored, result.conflicts) == (1, 1)
    [refused] = rejects(path)
    assert refused["line"] == "2"
    assert refused["reason"].startswith("conflict") and "sex, country" in refused["reason"]
    assert Crossing.objects.get(card_number="K1").country_id == "RUS"


@pytest.mark.django_db
def test_duplicates_within_the_file_are_present_once_or_a_conflict(tmp_path):
    path = write(tmp_path / "dupes.csv", [row(), row(), row(purpose="study")])
    result = import_crossings(path)
    assert (result.stored, result.already_present, result.conflicts) == (1, 1, 1)
    assert Crossing.objects.get().purpose_id == "work"


@pytest.mark.django_db
def test_optional_columns_are_stored_and_the_district_gives_the_region(tmp_path):
    header = [*HEADER, "surname", "given_names", "district"]
    path = write(
        tmp_path / "names.csv",
        [
            [*row(region=""), "Nazarova", "Zarina", "SU-KHU"],
            [*row(card_number="K2", region="TJ-KT"), "Nazarov", "Bahrom", "SU-KHU"],
        ],
        header=header,
    )
    result = import_crossings(path)
    assert (result.stored, result.rejected) == (1, 1)
    stored = Crossing.objects.get()
    assert (stored.surname, stored.region_id, stored.district_id) == ("Nazarova", "TJ-SU", "SU-KHU")
    assert rejects(path)[0]["reason"] == "district: SU-KHU is not in region TJ-KT"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header", [HEADER[::-1], HEADER[:-1], [*HEADER, "nickname"], ["card", *HEADER[1:]]]
)
def test_a_wrong_header_is_a_clear_error_and_stores_nothing(tmp_path, header):
    path = write(tmp_path / "wrong.csv", [row()], header=header)
    with pytest.raises(CommandError) as error:
        call_command("import-crossings", str(path), "--no-progress")
    assert EXPECTED_HEADER in str(error.value) and "wrong.csv" in str(error.value)
    assert not Crossing.objects.exists()


@pytest.mark.django_db
def test_an_empty_file_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(ImportFileError, match="empty"):
        import_crossings(path)
    header_only = write(tmp_path / "header.csv", [])
    assert import_crossings(header_only).rows == 0


@pytest.mark.django_db
def test_the_command_reports_refused_lines_and_a_summary(tmp_path):
    path = write(tmp_path / "cli.csv", [row(), row(card_number="K2", sex="?")])
    out, err = StringIO(), StringIO()
    call_command("import-crossings", str(path), "--no-progress", stdout=out, stderr=err)
    assert "cli.csv, line 3: sex:" in err.getvalue()
    assert "1 stored, 0 already present, 1 rejected, 0 conflicts" in out.getvalue()


@pytest.mark.django_db
def test_a_big_file_in_many_chunks_keeps_cells_exact_and_reimports_as_present(tmp_path):
    path = tmp_path / "big.csv"
    write_csv(path, 6000, seed=3, start=date(2024, 1, 1), end=date(2025, 12, 31))
    first = import_crossings(path, chunk_size=700)
    assert first.stored == 6000 and first.rejected == 0
    assert compare_with_rebuild() == []
    again = import_crossings(path, chunk_size=2500)
    assert (again.stored, again.already_present) == (0, 6000)


@pytest.mark.django_db(transaction=True)
def test_a_crash_mid_file_leaves_whole_chunks_and_exact_cells(
    tmp_path, monkeypatch, reference_data
):
    path = write(
        tmp_path / "crash.csv",
        [
            row(
                card_number=f"K{i}",
                crossed_on=f"2025-03-{i:02d}",
                direction="exit" if i % 2 else "entry",
            )
            for i in range(1, 11)
        ],
    )
    calls = {"n": 0}
    real = importer.apply_delta

    def failing(delta, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(delta, **kwargs)

    monkeypatch.setattr(importer, "apply_delta", failing)
    with pytest.raises(RuntimeError):
        import_crossings(path, chunk_size=4)
    assert Crossing.objects.count() == 4
    assert compare_with_rebuild() == []
    # A first load builds its deferred indexes again even when it fails; the collector is back.
    assert missing_indexes() == set()
    assert gc.isenabled()
    monkeypatch.setattr(importer, "apply_delta", real)
    result = import_crossings(path, chunk_size=4)
    assert (result.stored, result.already_present) == (6, 4)
    assert compare_with_rebuild() == []


def missing_indexes() -> set[str]:
    """The crossing and traveller indexes (Meta.indexes) that the database lacks."""
    missing = set()
    with connection.cursor() as cursor:
        for model in (Crossing, Traveller):
            present = connection.introspection.get_constraints(cursor, model._meta.db_table)
            missing |= {index.name for index in model._meta.indexes} - set(present)
    return missing


@pytest.mark.django_db(transaction=True)
def test_a_first_load_defers_the_secondary_indexes_and_builds_them_at_the_end(
    tmp_path, monkeypatch, reference_data
):
    path = write(
        tmp_path / "first.csv",
        [row(card_number=f"K{i}", crossed_on=f"2025-03-{i:02d}") for i in range(1, 6)],
    )
    seen = []
    real = importer.apply_delta

    def watching(delta, **kwargs):
        seen.append(missing_indexes())
        return real(delta, **kwargs)

    monkeypatch.setattr(importer, "apply_delta", watching)
    import_crossings(path, chunk_size=2)
    # Into the empty registry: without the date, name and passport indexes (the traveller
    # sequence stays, the import reads through it), and all of them there afterwards.
    assert seen == [{"crossing_date", "crossing_name", Traveller._meta.indexes[0].name}] * 3
    assert missing_indexes() == set()
    assert compare_with_rebuild() == []
    # An index left missing (an import killed before its rebuild) is built by the next one,
    # which, the registry no longer empty, keeps every index while it works.
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX crossing_name")
    seen.clear()
    more = write(tmp_path / "more.csv", [row(card_number="K9", crossed_on="2025-04-01")])
    assert import_crossings(more).stored == 1
    assert seen == [set()] and missing_indexes() == set()


def good_rows(count: int, start: int = 1) -> list[list[str]]:
    return [
        row(card_number=f"K{i}", crossed_on=f"2025-03-{i:02d}", direction="exit")
        for i in range(start, start + count)
    ]


@pytest.mark.django_db
def test_a_line_over_the_csv_field_limit_stops_the_import_and_says_exactly_what_was_stored(
    tmp_path,
):
    # Five good rows (one chunk of three stored, two waiting), one refused, then a line whose
    # value is longer than the csv module allows, then a row that is never read.
    rows = [*good_rows(5), row(card_number="K6", sex="X"), row(card_number="X" * 200_000)]
    path = write(tmp_path / "broken.csv", [*rows, *good_rows(1, start=8)])
    with pytest.raises(importer.ImportStopped) as stop:
        import_crossings(path, chunk_size=3)
    message = str(stop.value)
    assert "line 8: field larger than field limit" in message
    assert "5 rows stored, 0 already present, 1 rejected, 0 conflicts" in message
    assert "rest of the file was not read" in message
    assert stop.value.result.stored == 5 and not stop.value.result.finished
    assert Crossing.objects.count() == 5
    assert compare_with_rebuild() == []
    event = AuditEvent.objects.get(action="import")
    assert event.query["stored"] == 5 and event.query["rejected"] == 1
    assert event.query["finished"] is False and "field larger" in event.query["stopped"]
    # Corrected and imported again, it finishes: the rows already stored are present.
    rows[-1] = row(card_number="K7")
    write(path, [*rows, *good_rows(1, start=8)])
    again = import_crossings(path, chunk_size=3)
    assert (again.stored, again.already_present, again.rejected) == (2, 5, 1)
    assert AuditEvent.objects.filter(action="import").latest("at").query["finished"] is True


@pytest.mark.django_db
def test_the_command_says_how_many_rows_were_stored_when_a_line_cannot_be_read(tmp_path):
    path = write(tmp_path / "broken.csv", [*good_rows(2), row(card_number="X" * 200_000)])
    with pytest.raises(CommandError) as error:
        call_command("import-crossings", str(path), "--no-progress")
    assert "2 rows stored" in str(error.value) and "line 4" in str(error.value)


@pytest.mark.django_db
def test_an_import_that_fails_still_leaves_an_audit_event_with_its_counts(tmp_path, monkeypatch):
    path = write(tmp_path / "fails.csv", good_rows(6))
    real = importer.apply_delta
    calls = []

    def failing(delta, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut at 400000001")
        return real(delta, **kwargs)

    monkeypatch.setattr(importer, "apply_delta", failing)
    with pytest.raises(RuntimeError):
        import_crossings(path, chunk_size=3)
    event = AuditEvent.objects.get(action="import")
    assert event.query["finished"] is False
    # The error's type, never its text (which may quote a passport number).
    assert event.query["stopped"] == "error: RuntimeError"


@pytest.mark.django_db
def test_a_wrong_header_leaves_an_audit_event_too(tmp_path):
    path = write(tmp_path / "wrong.csv", [row()], header=HEADER[::-1])
    with pytest.raises(ImportFileError):
        import_crossings(path)
    event = AuditEvent.objects.get(action="import")
    assert event.query["stored"] == 0 and event.query["stopped"].startswith("wrong header")


@pytest.mark.django_db
def test_rejects_file_values_a_spreadsheet_would_run_are_escaped_and_restored_on_reimport(
    tmp_path,
):
    header = [*HEADER, "surname", "given_names"]
    path = write(
        tmp_path / "formulas.csv",
        [
            [*row(card_number="-K1", sex="X"), '=HYPERLINK("http://x","y")', "@SUM(A1)"],
            [*row(card_number="K2", sex="X"), "+Nazarov", "-Bahrom"],
        ],
        header=header,
    )
    assert import_crossings(path).rejected == 2
    refused = rejects(path)
    assert refused[0]["card_number"] == "'-K1"
    assert refused[0]["surname"] == '\'=HYPERLINK("http://x","y")'
    assert refused[0]["given_names"] == "'@SUM(A1)"
    assert (refused[1]["surname"], refused[1]["given_names"]) == ("'+Nazarov", "'-Bahrom")
    # The rejects file, corrected as it is (line and reason columns kept), imported again.
    fixed = tmp_path / "formulas.fixed.csv"
    with open(fixed, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(refused[0]))
        writer.writeheader()
        writer.writerows({**r, "sex": "M"} for r in refused)
    result = import_crossings(fixed)
    assert (result.stored, result.rejected) == (2, 0)
    first = Crossing.objects.get(card_number="K1")  # stored without its dash (crossings.rules)
    assert (first.surname, first.given_names) == ('=HYPERLINK("http://x","y")', "@SUM(A1)")
    second = Crossing.objects.get(card_number="K2")
    assert (second.surname, second.given_names) == ("+Nazarov", "-Bahrom")


@pytest.mark.django_db
def test_the_rejects_file_is_readable_by_its_owner_only(tmp_path):
    import os

    path = write(tmp_path / "private.csv", [row(sex="X")])
    rejects_path = tmp_path / "private.rejects.csv"
    rejects_path.write_text("stale\n")
    rejects_path.chmod(0o644)
    old = os.umask(0o022)
    try:
        import_crossings(path)
    finally:
        os.umask(old)
    assert rejects_path.stat().st_mode & 0o777 == 0o600


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("chunk_size", [700, 100_000])
def test_an_unsorted_skewed_dirty_file_leaves_cells_equal_to_a_recomputation(
    tmp_path, monkeypatch, chunk_size, reference_data
):
    # Not inside a test transaction: on SQLite each chunk is planned before its write
    # transaction, as in production.
    # A file as another system may export it: shuffled, a few travellers with many crossings,
    # untidy and bad rows, repeated and conflicting card numbers. 700 rows per run: the sorted
    # runs go through temporary files (in a private folder, removed afterwards).
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    ordered = tmp_path / "ordered.csv"
    write_csv(ordered, 6000, seed=5, start=date(2023, 1, 1), end=date(2025, 12, 31))
    path = tmp_path / "unsorted.csv"
    rows = write_unsorted(ordered, path, seed=5)
    first = import_crossings(path, chunk_size=chunk_size)
    assert first.rows == rows and first.rejected > 0 and first.conflicts > 0
    assert first.stored == Crossing.objects.count() > 5500
    assert compare_with_rebuild() == []
    assert not list(tmp_path.glob("safar-import-*"))
    again = import_crossings(path, chunk_size=chunk_size)
    assert again.stored == 0 and again.already_present == first.stored + first.already_present
    assert compare_with_rebuild() == []


@pytest.mark.django_db
@pytest.mark.parametrize("chunk_size", [2, 100])
def test_in_an_unsorted_file_the_first_occurrence_of_a_card_number_wins(tmp_path, chunk_size):
    path = write(
        tmp_path / "repeats.csv",
        [
            row(card_number="K1", crossed_on="2025-06-01"),
            # Months earlier: the file is not in date order, the rest is sorted by date.
            row(card_number="K2", crossed_on="2024-01-01", direction="entry"),
            row(card_number="K3", crossed_on="2024-03-01"),
            # Sorted by date this row would come first; it repeats K1, so it is compared.
            row(card_number="K1", crossed_on="2024-01-05"),
            row(card_number="K3", crossed_on="2024-03-01"),
        ],
    )
    result = import_crossings(path, chunk_size=chunk_size)
    assert (result.stored, result.already_present, result.conflicts) == (3, 1, 1)
    assert Crossing.objects.get(card_number="K1").crossed_on == date(2025, 6, 1)
    [conflict] = rejects(path)
    assert conflict["line"] == "5" and "crossed_on" in conflict["reason"]
    assert compare_with_rebuild() == []


@pytest.mark.django_db
def test_a_file_holding_an_unsorted_file_twice_stores_each_row_once(tmp_path, monkeypatch):
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    ordered = tmp_path / "ordered.csv"
    write_csv(ordered, 300, seed=6, start=date(2024, 1, 1), end=date(2025, 12, 31))
    header, *lines = ordered.read_text().splitlines(keepends=True)
    lines.reverse()  # out of date order: sorted in runs, the second copy spilled as repeats
    path = tmp_path / "twice.csv"
    path.write_text(header + "".join(lines) * 2)
    result = import_crossings(path, chunk_size=50)
    assert (result.stored, result.already_present, result.conflicts) == (300, 300, 0)
    assert compare_with_rebuild() == []
    assert not list(tmp_path.glob("safar-import-*"))
