"""The `safar` console command: the project's manage.py."""

import os
import sys


def main() -> None:
    if sys.argv[1:3] == ["station", "watch"]:
        # The station agent runs on border PCs with no database: it must not load Django.
        from safar.stations.agent import main as agent_main

        sys.exit(agent_main(sys.argv[3:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "safar.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
