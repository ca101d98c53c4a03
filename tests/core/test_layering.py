"""Imports go one way: domain apps use core, core uses no domain app, and the reading library
uses no Django at all (it is tested and benchmarked without a database)."""

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src" / "safar"
DOMAIN_APPS = {"crossings", "reports", "capture", "stations", "guidance"} | {
    path.name for path in SRC.iterdir() if (path / "apps.py").exists() and path.name != "core"
}


def imported_modules(folder: Path):
    for path in sorted(folder.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield path, alias.name
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                yield path, node.module


def test_core_imports_no_domain_app():
    found = [
        f"{path.relative_to(SRC)}: {module}"
        for path, module in imported_modules(SRC / "core")
        if module.split(".")[:2] in [["safar", app] for app in DOMAIN_APPS]
    ]
    assert found == []


def test_the_reading_library_imports_no_django():
    found = [
        f"{path.relative_to(SRC)}: {module}"
        for path, module in imported_modules(SRC / "reading")
        if module.split(".")[0] == "django"
    ]
    assert found == []


def test_the_reading_library_never_reads_the_clock():
    """Callers say what day it is (read_card(..., today=), read_mrz(..., today=)); measuring
    elapsed time (training logs) is not reading the date."""
    for path in sorted((SRC / "reading").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        for clock in ("date.today(", "datetime.now(", "datetime.today(", "utcnow("):
            assert clock not in text, f"{path.relative_to(SRC)} reads the clock: {clock}"


def test_the_crossings_app_owns_its_cells_and_imports_no_report_module():
    """The cells are written by crossings and read by reports: imports go reports → crossings."""
    found = [
        f"{path.relative_to(SRC)}: {module}"
        for path, module in imported_modules(SRC / "crossings")
        if module.startswith("safar.reports")
    ]
    assert found == []
