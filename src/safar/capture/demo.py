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


def load_demo_scans(stdout) -> None:
    if "synth-cards" not in get_commands():
        return
    operator = User.objects.filter(username="operator-du").first()
    if operator is None or Upload.objects.filter(batch__uploaded_by=operator).exists():
        return
    centre = Office.objects.get(code="ICC-DU")
    with tempfile.TemporaryDirectory() as folder:
        call_command(
            "synth-cards", "--count", str(DEMO_CARDS), "--out", folder, stdout=io.StringIO()
        )
        files = sorted(
            p for p in Path(folder).rglob("*") if p.suffix.lower() in ACCEPTED_EXTENSIONS
        )
        for path in files:
            receive_upload(content=path.read_bytes(), name=path.name, centre=centre, user=operator)
    stdout.write(f"Demo scans: {len(files)} synthetic cards queued for reading (ICC-DU).")


register_loader(load_demo_scans, order=30)
