"""`safar synth-cards --count N --out DIR [--seed S]`: synthetic filled scans with their truth."""

import datetime as dt
import json
from pathlib import Path

import numpy as np
from django.core.management.base import BaseCommand, CommandError

from safar.reading.render import next_serials
from safar.reading.synth import synth_card
from safar.reading.template import TemplateError, load_template


class Command(BaseCommand):
    help = (
        "Render filled migration cards as scans (rotation, skew, noise, 200–600 dpi, "
        "colour/grey/bw) and write DIR/truth.jsonl with every field's true value."
    )

    def add_arguments(self, parser):
        parser.add_argument("--count", type=int, required=True)
        parser.add_argument("--out", required=True, help="folder for the images and truth.jsonl")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--template", default="safar-card")
        parser.add_argument("--first", default="SY0000001", help="first card serial")

    def handle(self, *args, **opts):
        if opts["count"] < 1:
            raise CommandError("--count must be at least 1")
        try:
            template = load_template(opts["template"])
            serials = next_serials(opts["first"], opts["count"])
        except (TemplateError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        out = Path(opts["out"])
        out.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(opts["seed"])
        # The day each card is scanned (what the capture app knows as the batch's day): 0–14 days
        # after the crossing, from a generator of its own so the images do not depend on it.
        scan_rng = np.random.default_rng([opts["seed"], 1])
        with (out / "truth.jsonl").open("w", encoding="utf-8") as truth:
            for i, serial in enumerate(serials, start=1):
                card = synth_card(template, rng, serial)
                name = f"card-{i:05d}.{card['fmt']}"
                (out / name).write_bytes(card["data"])
                row = {
                    "file": name,
                    **{k: card[k] for k in ("dpi", "rotation", "skew", "mode", "cancelled")},
                    "values": card["values"],
                    "scanned_on": (
                        dt.date.fromisoformat(card["values"]["crossed_on"])
                        + dt.timedelta(days=int(scan_rng.integers(0, 15)))
                    ).isoformat(),
                }
                truth.write(json.dumps(row, ensure_ascii=False) + "\n")
                truth.flush()  # a long run can be scored while it is still rendering
                if opts["verbosity"] > 1 or (i % 50 == 0 and opts["verbosity"]):
                    self.stdout.write(f"{i}/{len(serials)}")
        self.stdout.write(f"{out}: {len(serials)} cards and truth.jsonl")
