"""Confirmed characters for retraining: the folder format and pairing crops with characters."""

import cv2
import numpy as np
import pytest

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


def test_the_numpy_network_computes_what_jax_trained(tmp_path):
    """The reader runs the network in NumPy; training runs it in JAX: same logits."""
    import jax
    import jax.numpy as jnp

    from safar.reading._characters import Model
    from safar.reading.classes import CLASSES
    from safar.reading.training import _forward, _init

    params = jax.tree_util.tree_map(np.asarray, _init(jax.random.PRNGKey(3), len(CLASSES)))
    rng = np.random.default_rng(3)
    glyphs = rng.random((5, 28, 28)).astype(np.float32)
    extras = rng.random((5, 2)).astype(np.float32)
    model = Model(convs=tuple(params["conv"]), dense=tuple(params["dense"]), classes=CLASSES)
    expected = np.asarray(_forward(params, jnp.asarray(glyphs), jnp.asarray(extras)))
    assert np.allclose(model.logits(glyphs, extras), expected, atol=1e-4)


@pytest.mark.slow
def test_training_writes_a_model_the_reader_loads(tmp_path):
    from safar.reading._characters import load_model
    from safar.reading.training import train

    out = tmp_path / "characters.npz"
    result = train(per_class=4, epochs=1, out=out, log=lambda _: None)
    model = load_model(out)
    assert result["samples"] > 200 and 0.5 <= model.members[0].temperature <= 3.0
    probs, allowed = model.probabilities([np.pad(np.ones((30, 6), bool), 5)], "digits")
    assert allowed == "0123456789" and probs.shape == (1, 10)
    assert abs(float(probs.sum()) - 1) < 1e-5


def test_card_boxes_for_training_carry_the_characters_written_on_the_card():
    from safar.reading.classes import CLASSES
    from safar.reading.training import card_masks

    masks, labels = card_masks(2, seed=5, log=lambda _: None)
    # Two cards: two dates (16 digits), a passport number and names at least.
    assert len(masks) == len(labels) >= 40
    assert set(labels) <= set(CLASSES)
    assert sum(c.isdigit() for c in labels) >= 24
    assert all(m.dtype == bool and m.any() for m in masks)


def test_an_ensemble_file_round_trips_and_averages_its_members(tmp_path):
    from safar.reading._characters import MODEL_PATH, Ensemble, load_model, save_model

    shipped = load_model(MODEL_PATH)
    assert len(shipped.members) == 3
    first, second = shipped.members[0], shipped.members[1]
    out = tmp_path / "two.npz"
    save_model(out, Ensemble((first, second)))
    pair = load_model(out)
    glyph = [np.pad(np.ones((30, 6), bool), 5)]
    p_pair, _ = pair.probabilities(glyph, "digits")
    p_each = [Ensemble((m,)).probabilities(glyph, "digits")[0] for m in (first, second)]
    assert np.allclose(p_pair, (p_each[0] + p_each[1]) / 2, atol=1e-6)
    assert [m.temperature for m in pair.members] == [first.temperature, second.temperature]


def test_letter_only_boxes_are_those_that_allow_no_digit():
    from safar.reading._boxes import letter_boxes
    from safar.reading.template import load_template

    template = load_template("safar-card")
    boxes = letter_boxes(template)
    fields = {f.name: f for f in template.fields}
    # A serial's two letters, names and letter codes: letters only.
    assert {("card_number", 0), ("card_number", 1)} <= boxes
    assert ("card_number", 2) not in boxes
    assert all(("surname", k) in boxes for k in range(len(fields["surname"].boxes)))
    assert ("citizenship_code", 0) in boxes
    # A passport number may start with a digit or a letter: its boxes keep the digit networks.
    assert not any(name in ("passport_number", "birth_date") for name, _ in boxes)


def test_letter_boxes_are_read_by_the_letters_networks_and_each_box_by_one_ensemble():
    from safar.reading._boxes import _logits
    from safar.reading._characters import MODEL_PATH, Ensemble, load_model
    from safar.reading._glyphs import glyph

    shipped = load_model(MODEL_PATH)
    main, letters = Ensemble(shipped.members[:2]), Ensemble(shipped.members[2:])
    rng = np.random.default_rng(5)
    masks = [glyph(ch, rng) > 127 for ch in "A7B"]
    owners = [("surname", 0), ("passport_number", 3), ("surname", 1)]
    z = _logits(main, masks, owners, letters, {("surname", 0), ("surname", 1)})
    want_main, _ = main.logits_of_masks(masks[1:2])
    want_letters, _ = letters.logits_of_masks([masks[0], masks[2]])
    assert z[("passport_number", 3)].shape == (2, len(shipped.classes))
    assert np.allclose(z[("passport_number", 3)], want_main[:, 0])
    assert z[("surname", 0)].shape == (1, len(shipped.classes))
    assert np.allclose(z[("surname", 1)], want_letters[:, 1])
    # Without a letters model every box goes through the main networks.
    plain = _logits(main, masks, owners)
    assert np.allclose(plain[("surname", 1)], main.logits_of_masks(masks)[0][:, 2])
