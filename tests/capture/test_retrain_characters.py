"""`safar retrain-characters --fine-tune`: operators' confirmed characters teach the installed
networks in minutes."""

import cv2
import numpy as np
import pytest
from django.core.management import call_command

from safar.reading._characters import MODEL_PATH, load_model
from safar.reading.training import box_crop


@pytest.mark.slow
def test_fine_tuning_with_confirmed_characters_writes_a_model_of_the_same_networks(tmp_path):
    folder = tmp_path / "characters"
    rng = np.random.default_rng(1)
    for ch in ("Қ", "3"):
        (folder / ch).mkdir(parents=True)
        for i in range(2):
            cv2.imwrite(str(folder / ch / f"scan7-name-{i:02d}.png"), box_crop(ch, rng))
    out = tmp_path / "characters.npz"
    call_command(
        "retrain-characters",
        "--fine-tune",
        f"--folder={folder}",
        "--per-class=2",
        "--extra-digits=2",
        "--cards=0",
        "--epochs=1",
        "--min-accuracy=0",
        f"--out={out}",
        stdout=open(tmp_path / "log.txt", "w"),
    )
    log = (tmp_path / "log.txt").read_text()
    assert "4 confirmed" in log and "installed" in log
    assert len(load_model(out).members) == len(load_model(MODEL_PATH).members)
