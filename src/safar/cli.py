"""The `safar` console command: the project's manage.py."""

import os
import sys

NOT_SET_UP = "The database is not set up yet: run `safar migrate` first."
EXIT_NOT_SET_UP = 2
# What SQLite and PostgreSQL say when a table or column the code expects was never created.
_MISSING_SCHEMA = ("no such table", "no such column", "does not exist")


def missing_schema(error: BaseException | None) -> bool:
    """True when `error`, or an error it was raised from, says a table or column is missing: the
    database was not migrated (or not fully)."""
    from django.db import OperationalError, ProgrammingError

    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OperationalError | ProgrammingError) and any(
            words in str(error) for words in _MISSING_SCHEMA
        ):
            return True
        error = error.__cause__ or error.__context__
    return False


def main() -> None:
    if sys.argv[1:3] == ["station", "watch"]:
        # The station agent runs on border PCs with no database: it must not load Django.
        from safar.stations.agent import main as agent_main

        sys.exit(agent_main(sys.argv[3:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safar.settings")
    from django.core.management import execute_from_command_line

    try:
        execute_from_command_line(sys.argv)
    except Exception as error:
        # Any command that touches the database: a clear instruction, not a traceback.
        if not missing_schema(error):
            raise
        sys.stderr.write(NOT_SET_UP + "\n")
        sys.exit(EXIT_NOT_SET_UP)


if __name__ == "__main__":
    main()
