"""Registry of benchmark commands, filled by each app's `benchmarks.py`.

A benchmark is a callable taking the remaining command-line arguments (a list of strings) and
returning an exit code; it parses its own options with argparse and prints what it measured.
"""

from collections.abc import Callable

BENCHMARKS: dict[str, Callable[[list[str]], int]] = {}


def benchmark(name: str):
    """Decorator: register `func` as `safar bench <name>`."""

    def register(func):
        BENCHMARKS[name] = func
        return func

    return register
