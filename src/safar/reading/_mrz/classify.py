"""The character recognisers: small multilayer perceptrons evaluated with numpy.

Trained by scripts/train_mrz.py on glyphs rendered and degraded on this machine: `MODEL_PATH` on
OCR-B alone (the ICAO font, and what reads nearly every document), `MONO_MODEL_PATH` on OCR-B
mixed with DejaVu Sans Mono and Liberation Mono, for the zones the first cannot validate. The
weights are plain .npz files (no pickle), so loading is safe and independent of scikit-learn's
version.
"""

from functools import cache
from pathlib import Path

import numpy as np
from threadpoolctl import ThreadpoolController

from .layout import ALPHABET

# These products are tiny (≈ 88 × 400 × 192): a multi-threaded BLAS spends more on waking its
# threads than on the work, and on a busy server it is 100× slower. One thread, always.
_BLAS = ThreadpoolController()

MODEL_PATH = Path(__file__).resolve().parent.parent / "models" / "mrz_ocrb_mlp.npz"
MONO_MODEL_PATH = MODEL_PATH.with_name("mrz_mono_mlp.npz")
# The recogniser that checks a reading's letters: indexed by "was it read by the mono model?".
OTHER_MODEL = {False: MONO_MODEL_PATH, True: MODEL_PATH}


@cache
def _model(path: Path = MODEL_PATH) -> dict[str, np.ndarray]:
    with np.load(path) as data:
        model = {key: data[key] for key in data.files}
    if "".join(model["alphabet"].tolist()) != ALPHABET:
        raise ValueError(f"{path.name}: alphabet differs from the layout's")
    return model


def probabilities(features: np.ndarray, path: Path = MODEL_PATH) -> np.ndarray:
    """Class probabilities (rows: characters, columns: ALPHABET) for flattened cell crops."""
    model = _model(path)
    x = (features - model["mean"]) / model["scale"]
    n_layers = sum(1 for key in model if key.startswith("W"))
    with _BLAS.limit(limits=1, user_api="blas"):
        for i in range(n_layers):
            x = x @ model[f"W{i}"] + model[f"b{i}"]
            if i < n_layers - 1:
                np.maximum(x, 0, out=x)
    x -= x.max(axis=1, keepdims=True)
    np.exp(x, out=x)
    return x / x.sum(axis=1, keepdims=True)
