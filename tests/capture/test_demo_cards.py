"""The README's `safar synth-cards` example next to the demo's scans (`make run`)."""

import hashlib
import re
import shlex
from pathlib import Path

from django.core.management import call_command

from safar.capture.demo import render_demo_cards
from safar.capture.services import ACCEPTED_EXTENSIONS

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_synth_cards_example(count: int, out: Path) -> list[str]:
    """The README's `safar synth-cards …` command line, with N and DIR filled in."""
    example = re.search(r"`safar (synth-cards [^`]*)`", README.read_text(encoding="utf-8"))
    assert example, "the README shows no `safar synth-cards` example"
    words = shlex.split(example.group(1).replace("DIR", str(out)).replace(" N ", f" {count} "))
    return [w for w in words if not (w.startswith("[") or w.endswith("]"))]


def digests(paths) -> set[str]:
    return {hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def test_the_readme_s_synth_cards_example_makes_files_other_than_the_demo_s(tmp_path):
    demo = render_demo_cards(tmp_path / "demo")
    command, *arguments = readme_synth_cards_example(5, tmp_path / "mine")
    call_command(command, *arguments, verbosity=0)
    mine = [p for p in (tmp_path / "mine").iterdir() if p.suffix.lower() in ACCEPTED_EXTENSIONS]
    assert len(demo) == 8 and len(mine) == 5
    assert digests(demo).isdisjoint(digests(mine))
