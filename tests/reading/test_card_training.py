"""Confirmed characters for retraining: the folder format and pairing crops with characters."""

import cv2
import numpy as np

from safar.reading.card import FieldReading, training_samples
from safar.reading.training import box_crop, confirmed_masks


def reading_with_boxes(n: int) -> FieldReading:
    crops = [np.full((43, 34), 200 + i, np.uint8) for i in range(n)]
    return FieldReading(name="f", value=None, confidence=0.5, crop=crops[0], char_crops=crops)


def test_a_confirmed_date_is_paired_with_its_boxes_day_first():
    pairs = training_samples(reading_with_boxes(8), "1990-02-28")
    assert "".join(ch for _, ch in pairs) == "28021990"
    assert pairs[0][0][0, 0] == 200 and pairs[7][0][0, 0] == 207


def test_a_confirmed_name_skips_the_empty_box_between_words():
    pairs = training_samples(reading_with_boxes(17), "абду раҳмон")
    assert "".join(ch for _, ch in pairs) == "АБДУРАҲМОН"
    assert pairs[4][0][0, 0] == 205  # the space used box 4


def test_a_value_longer_than_the_boxes_gives_nothing():
    assert training_samples(reading_with_boxes(2), "DU-SOM") == []


def test_confirmed_characters_are_read_from_one_folder_per_character(tmp_path):
    rng = np.random.default_rng(0)
    for ch in ("7", "Ҷ"):
        (tmp_path / ch).mkdir()
        cv2.imwrite(str(tmp_path / ch / "scan1-x-00.png"), box_crop(ch, rng))
    (tmp_path / "bad-name").mkdir()
    cv2.imwrite(str(tmp_path / "bad-name" / "a.png"), box_crop("A", rng))
    (tmp_path / "7" / "broken.png").write_bytes(b"not a png")
    masks, labels, skipped = confirmed_masks(tmp_path)
    assert sorted(labels) == ["7", "Ҷ"]
    assert all(m.any() for m in masks)
    assert len(skipped) == 2
    assert any("bad-name" in s and "not one known character" in s for s in skipped)
    assert any("broken.png" in s and "not a readable PNG" in s for s in skipped)
