"""`safar synth-cards` writes scans and their truth."""

import json

from django.core.management import call_command

from safar.reading.card import load_template


def test_synth_cards_writes_images_and_truth(tmp_path):
    call_command("synth-cards", count=2, out=str(tmp_path), seed=3, verbosity=0)
    rows = [json.loads(line) for line in (tmp_path / "truth.jsonl").read_text().splitlines()]
    assert len(rows) == 2
    names = set(load_template("safar-card").names)
    for row in rows:
        assert (tmp_path / row["file"]).stat().st_size > 10_000
        assert set(row["values"]) == names
        assert 200 <= row["dpi"] <= 600 and row["rotation"] in (0, 90, 180, 270)
    assert rows[0]["values"]["card_number"] == "SY0000001"


def test_the_same_seed_gives_the_same_cards(tmp_path):
    for sub in ("a", "b"):
        call_command("synth-cards", count=1, out=str(tmp_path / sub), seed=9, verbosity=0)
    assert (tmp_path / "a" / "truth.jsonl").read_text() == (
        tmp_path / "b" / "truth.jsonl"
    ).read_text()
