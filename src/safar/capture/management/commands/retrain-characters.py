"""`safar retrain-characters`: retrain the box classifier with the characters operators confirmed.

Operators' corrections are kept as DATA_DIR/training/characters/<character>/<id>.png (the grey
crop of one box, as FieldReading.char_crops gives it). This command trains a new model from the
synthetic handwriting, the boxes of synthetic cards and those samples (JAX, one core: about 45
minutes per ensemble member with the defaults, which are those of the shipped model), and installs
it only if every member's held-out accuracy is at least --min-accuracy.
"""

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from safar.reading._characters import MODEL_PATH, load_model
from safar.reading.training import train


class Command(BaseCommand):
    help = "Retrain the character classifier including operators' confirmed characters."

    def add_arguments(self, parser):
        parser.add_argument(
            "--folder", help="confirmed characters (default DATA_DIR/training/characters)"
        )
        parser.add_argument("--per-class", type=int, default=3000)
        parser.add_argument(
            "--cards",
            type=int,
            default=2000,
            help="whole synthetic cards whose boxes are added to the data",
        )
        parser.add_argument("--members", type=int, default=3, help="networks in the ensemble")
        parser.add_argument("--seed", type=int, default=3)
        parser.add_argument("--epochs", type=int, default=16)
        parser.add_argument("--out", help=f"model file to write (default {MODEL_PATH})")
        parser.add_argument(
            "--min-accuracy",
            type=float,
            default=0.9,
            help="refuse to install a model below this held-out accuracy",
        )

    def handle(self, *args, **opts):
        folder = Path(opts["folder"] or Path(settings.DATA_DIR) / "training" / "characters")
        if not folder.is_dir():
            raise CommandError(f"{folder}: no such folder of confirmed characters")
        out = Path(opts["out"] or MODEL_PATH)
        with tempfile.TemporaryDirectory() as tmp:
            candidate = Path(tmp) / "characters.npz"
            result = train(
                per_class=opts["per_class"],
                cards=opts["cards"],
                members=opts["members"],
                seed=opts["seed"],
                confirmed=folder,
                epochs=opts["epochs"],
                out=candidate,
                log=self.stdout.write,
            )
            if result["accuracy"] < opts["min_accuracy"]:
                raise CommandError(
                    f"held-out accuracy {result['accuracy']:.3f} is below "
                    f"{opts['min_accuracy']}: the model was not installed"
                )
            shutil.copyfile(candidate, out)
        load_model.cache_clear()
        self.stdout.write(
            f"installed {out}: {result['samples']} samples, "
            f"{result['confirmed']} confirmed, accuracy {result['accuracy']:.4f}"
        )
