"""The rough hands and scans that teach the box classifier real handwriting (issue 15)."""

import cv2
import numpy as np
import pytest

from safar.reading._glyphs import _composite_skeleton, _hershey_skeleton, glyph
from safar.reading.training import MIN_ROUGH_INK, one_bit_scan, synthetic_masks


def lean(img: np.ndarray) -> float:
    """How far the ink leans right: x shift per pixel of height, from the image moments."""
    m = cv2.moments((img > 127).astype(np.uint8), binaryImage=True)
    return -m["mu11"] / m["mu02"]


def test_rough_letters_lean_right_and_are_narrower_than_tidy_ones():
    tidy_rng, rough_rng = np.random.default_rng(1), np.random.default_rng(1)
    tidy = [glyph("I", tidy_rng) for _ in range(60)]
    rough = [glyph("I", rough_rng, rough=True) for _ in range(60)]
    assert np.mean([lean(g) for g in rough]) > np.mean([lean(g) for g in tidy]) + 0.08


def test_the_tidy_hand_draws_what_it_drew_before_rough_existed():
    """Synthetic cards (and their benchmark) use the tidy hand: `rough=False` is the old draw."""
    a = glyph("Ж", np.random.default_rng(4))
    b = glyph("Ж", np.random.default_rng(4), rough=False)
    assert np.array_equal(a, b)


def test_a_one_bit_scan_is_black_or_white_before_resampling_greys_its_edges():
    grey = np.full((43, 34), 230.0, np.float32)
    grey[5:38, 15:19] = 60  # a vertical stroke
    out = one_bit_scan(grey, np.random.default_rng(2))
    assert out.shape == grey.shape and out.dtype == np.uint8
    assert out.max() == 255 and out[20, 16:18].max() <= 40  # paper white, the stroke black
    assert out[:, :8].min() == 255  # the scanner's noise did not reach the threshold


def test_tajik_letters_are_built_from_latin_strokes_with_their_marks():
    base = _hershey_skeleton(cv2.FONT_HERSHEY_SIMPLEX, "N", False)
    i_macron = _composite_skeleton(cv2.FONT_HERSHEY_SIMPLEX, "Ӣ", False)
    # The macron stands apart above the mirrored N: two pieces, taller than N.
    n, _ = cv2.connectedComponents((i_macron > 0).astype(np.uint8))
    assert n - 1 == 2 and i_macron.shape[0] > base.shape[0]
    assert np.array_equal(_composite_skeleton(cv2.FONT_HERSHEY_SIMPLEX, "И", False), base[:, ::-1])
    k = _hershey_skeleton(cv2.FONT_HERSHEY_SIMPLEX, "K", False)
    ka = _composite_skeleton(cv2.FONT_HERSHEY_SIMPLEX, "Қ", False)
    assert ka.shape[0] > k.shape[0] and ka.shape[1] > k.shape[1]  # the descender's tail


@pytest.mark.parametrize("ch", ["Ғ", "Ӣ", "Қ", "Ӯ", "Ҳ", "Ҷ", "4", "W"])
def test_every_rough_box_keeps_enough_ink_to_learn_from(ch):
    masks, labels = synthetic_masks(6, seed=3, classes=ch, rough=1.0)
    assert labels == [ch] * 6
    assert all(m.sum() >= MIN_ROUGH_INK for m in masks)


@pytest.mark.slow
def test_fine_tuning_starts_from_the_given_networks_and_learns_confirmed_characters(tmp_path):
    from safar.reading._characters import MODEL_PATH, Ensemble, load_model, save_model
    from safar.reading.training import box_crop, train

    start = tmp_path / "start.npz"
    save_model(start, Ensemble(load_model(MODEL_PATH).members[:2]))
    confirmed = tmp_path / "confirmed"
    rng = np.random.default_rng(0)
    for ch in ("Ҷ", "7"):
        (confirmed / ch).mkdir(parents=True)
        for i in range(3):
            cv2.imwrite(str(confirmed / ch / f"scan1-x-{i:02d}.png"), box_crop(ch, rng))
    out = tmp_path / "tuned.npz"
    result = train(
        per_class=2,
        extra_digits=2,
        epochs=1,
        lr=1e-5,
        rough=0.5,
        start=start,
        confirmed=confirmed,
        out=out,
        log=lambda _: None,
    )
    assert result["confirmed"] == 6
    before, after = load_model(start), load_model(out)
    assert len(after.members) == 2
    for b, a in zip(before.members, after.members, strict=True):
        w0, w1 = b.dense[0][0], a.dense[0][0]
        # A few small steps from the start: changed, but still the same network.
        assert not np.array_equal(w0, w1) and np.abs(w1 - w0).max() < 0.01
