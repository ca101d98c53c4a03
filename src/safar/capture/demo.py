"""Demo scans for `make run`: a few synthetic filled cards uploaded for the Dushanbe centre, so
that the review queue has something to show. The task worker that `make run` starts reads them.
Needs `safar synth-cards` (the card reader's generator); without it the loader does nothing."""

import io
import tempfile
from pathlib import Path

from django.core.management import call_command, get_commands

from safar.core.demo import register_loader
from safar.core.models import Office, User

from .models import Upload
from .services import ACCEPTED_EXTENSIONS, receive_upload

DEMO_CARDS = 8
# A seed and serial series of the demo's own: the README's `safar synth-cards` example (the
# command's defaults) then makes other files, which an upload stores instead of reporting them
# all as "received before".
DEMO_SYNTH_OPTIONS = ("--seed", "2026", "--first", "DM0000001")


def render_demo_cards(folder: str | Path) -> list[Path]:
    """Write the demo's synthetic card scans into `folder`; the image files, sorted."""
    call_command(
        "synth-cards",
        "--count",
        str(DEMO_CARDS),
        *DEMO_SYNTH_OPTIONS,
        "--out",
        str(folder),
        stdout=io.StringIO(),
    )
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in ACCEPTED_EXTENSIONS)


def load_demo_scans(stdout) -> None:
    if "synth-cards" not in get_commands():
        return
    operator = User.objects.filter(username="operator-du").first()
    if operator is None or Upload.objects.filter(batch__uploaded_by=operator).exists():
        return
    centre = Office.objects.get(code="ICC-DU")
    with tempfile.TemporaryDirectory() as folder:
        files = render_demo_cards(folder)
        for path in files:
            receive_upload(content=path.read_bytes(), name=path.name, centre=centre, user=operator)
    stdout.write(f"Demo scans: {len(files)} synthetic cards queued for reading (ICC-DU).")


register_loader(load_demo_scans, order=30)
