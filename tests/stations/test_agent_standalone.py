"""The agent runs on station PCs that have no database and no Django settings."""

import subprocess
import sys


def test_safar_station_watch_does_not_load_django(tmp_path):
    probe = (
        "import sys, runpy; sys.argv = ['safar', 'station', 'watch', '--help'];\n"
        "try:\n    runpy.run_module('safar.cli', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules), 'django'\n"
        "print('no django')"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "--token-file" in done.stdout and "no django" in done.stdout


def test_a_missing_folder_is_a_configuration_error(tmp_path):
    from safar.stations.agent import EXIT_CONFIG, main

    assert (
        main(
            [
                "watch",
                str(tmp_path / "nowhere"),
                "--server",
                "http://127.0.0.1:9",
                "--token",
                "x",
                "--once",
                "--quiet",
            ]
        )
        == EXIT_CONFIG
    )
