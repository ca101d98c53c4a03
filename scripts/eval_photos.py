"""Safar's own card in synthetic phone photos: how many are read, how well, how fast.

    .venv/bin/python scripts/eval_photos.py [--count 100] [--seed 15] [--hard]

Each photo: a card filled by the synthetic hand (safar.reading.synth, 300 dpi), photographed by
safar.reading.photo_synth (perspective up to 25°, table backgrounds, uneven light, a hand's
shadow in ~80 %, blur, noise, JPEG 70–92, 8–12 MP) and read from the JPEG bytes by read_card.
--hard: every photo tilted the full 25° and with a hand's shadow. Timing is CPU time on one thread for read_card alone (decoding the JPEG included).
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections import Counter

import cv2
import numpy as np
from threadpoolctl import threadpool_limits

from safar.reading.card import load_template, read_card
from safar.reading.photo_synth import photo_jpeg
from safar.reading.synth import card_values, fill

TODAY = dt.date(2026, 11, 22)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--hard", action="store_true", help="every photo tilted 25°, with a shadow")
    args = parser.parse_args()
    cv2.setNumThreads(1)
    template = load_template("safar-card")
    aligned = boxes = right_boxes = fields = right_fields = confident = confident_wrong = 0
    saved = 0
    refused: Counter = Counter()
    wrong_by_field: Counter = Counter()
    seconds = []
    for i in range(args.count):
        rng = np.random.default_rng(args.seed * 100_000 + i)
        values = card_values(template, rng, f"AB{i:07d}")
        img, _ = fill(template, values, rng, int(rng.choice([200, 300, 300, 400])))
        info: dict = {}
        hard = {"tilt": 25.0, "shadow": True} if args.hard else {}
        data = photo_jpeg(img, rng, info=info, **hard)
        with threadpool_limits(1):
            started = time.process_time()
            result = read_card(data, template, today=TODAY)
            seconds.append(time.process_time() - started)
        if not result.aligned:
            refused[result.problem] += 1
            print(f"  #{i} refused: {result.problem} ({info})", flush=True)
            continue
        aligned += 1
        for f in template.fields:
            reading = result.fields[f.name]
            fields += 1
            good = reading.value == values.get(f.name)
            right_fields += good
            wrong_by_field[f.name] += not good
            if result.is_confident(f.name):
                confident += 1
                confident_wrong += not good
            if f.kind == "checkboxes":
                chosen = values.get(f.name)
                for option, mark in zip(f.options, reading.marks, strict=True):
                    want = (
                        option.value == chosen
                        if option.value
                        else (chosen is not None and chosen not in {o.value for o in f.options})
                    )
                    boxes += 1
                    right_boxes += (mark == "marked") == want
        saved += result.confident
    n = args.count
    ms = sorted(s * 1000 for s in seconds)
    print(f"photos: {n}; aligned (read): {aligned} ({aligned / n:.1%})")
    for reason, count in refused.most_common():
        print(f"  refused {count}: {reason}")
    print(
        f"time per photo (one thread, CPU): median {statistics.median(ms):.0f} ms, "
        f"90th percentile {ms[int(0.9 * (n - 1))]:.0f} ms, max {ms[-1]:.0f} ms"
    )
    print(f"checkboxes right: {right_boxes}/{boxes} ({right_boxes / max(boxes, 1):.3%})")
    print(f"fields right: {right_fields}/{fields} ({right_fields / max(fields, 1):.2%})")
    print(f"confident but wrong: {confident_wrong}/{confident} confident values")
    print(f"cards with every field confident: {saved}/{n} ({saved / n:.1%})")
    print("wrong values by field:", dict(wrong_by_field.most_common(8)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
