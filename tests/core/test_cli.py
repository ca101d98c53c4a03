"""The `safar` command itself (the project's manage.py), run as a visitor would run it."""

import json
import os
import subprocess
import sys

import pytest


def run_safar(tmp_path, *args):
    """`safar ARGS` in a fresh process, on an empty SQLite database nobody has migrated."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO")},
        "DATABASE_URL": f"sqlite:///{tmp_path / 'never-migrated.sqlite3'}",
        "HOME": str(tmp_path),
    }
    return subprocess.run(
        [sys.executable, "-m", "safar.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


@pytest.mark.parametrize(
    "args",
    [
        ["bancheck", "case.json"],
        ["api-token", "nobody", "--list"],
        ["intake", "stats", "--json"],
    ],
    ids=lambda args: args[0],
)
def test_a_command_on_a_database_not_yet_migrated_says_to_run_migrate(tmp_path, args):
    (tmp_path / "case.json").write_text(json.dumps({"as_of": "2026-11-22"}))
    done = run_safar(tmp_path, *args)
    assert done.returncode == 2, done.stderr
    assert done.stderr.strip() == "The database is not set up yet: run `safar migrate` first."
    assert "Traceback" not in done.stderr
