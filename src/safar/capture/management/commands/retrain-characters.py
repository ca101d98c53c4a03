"""`safar retrain-characters`: retrain the box classifier with the characters operators confirmed.

Operators' corrections are kept as DATA_DIR/training/characters/<character>/<id>.png (the grey
crop of one box, as FieldReading.char_crops gives it). This command trains a new model from the
synthetic handwriting, the boxes of synthetic cards and those samples (JAX, one core: about 45
minutes per ensemble member with the defaults, which are those of the shipped model), and installs
it only if every member's held-out accuracy is at least --min-accuracy.

--fine-tune instead goes on training the installed networks for a few epochs on a smaller draw of
synthetic data (half of it in the rough hands of real forms) plus the confirmed characters: about
10 minutes for the three members, the quick way to teach the reader its operators' handwriting.
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
        parser.add_argument(
            "--fine-tune",
            action="store_true",
            help="go on training the installed networks (minutes) instead of new ones (hours)",
        )
        parser.add_argument("--per-class", type=int, help="default 3000; fine-tuning 500")
        parser.add_argument(
            "--extra-digits",
            type=int,
            help="more glyphs per digit (default 5000; fine-tuning 800)",
        )
        parser.add_argument(
            "--cards",
            type=int,
            help="whole synthetic cards whose boxes are added to the data (default 2000; "
            "fine-tuning 250)",
        )
        parser.add_argument("--members", type=int, default=3, help="networks in the ensemble")
        parser.add_argument("--seed", type=int, help="default 3; fine-tuning 30")
        parser.add_argument("--epochs", type=int, help="default 16; fine-tuning 4")
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
        tuning = opts["fine_tune"]
        chosen = {
            "per_class": 500 if tuning else 3000,
            "extra_digits": 800 if tuning else 5000,
            "cards": 250 if tuning else 2000,
            "seed": 30 if tuning else 3,
            "epochs": 4 if tuning else 16,
        }
        chosen = {k: v if opts[k] is None else opts[k] for k, v in chosen.items()}
        if tuning:
            chosen |= {"lr": 5e-4, "rough": 0.5, "start": MODEL_PATH}
        with tempfile.TemporaryDirectory() as tmp:
            candidate = Path(tmp) / "characters.npz"
            result = train(
                **chosen,
                members=opts["members"],
                confirmed=folder,
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
