"""The stations' small world: a station at the Dushanbe centre with its token, and scan files."""

import hashlib
import io
import random

import pytest
from PIL import Image

from safar.stations.services import register_station


def png_bytes(seed: int, side: int = 24) -> bytes:
    """A small, unique PNG: noise drawn from `seed`, so every seed gives different bytes."""
    rng = random.Random(seed)
    image = Image.frombytes(
        "L", (side, side), bytes(rng.randrange(256) for _ in range(side * side))
    )
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def sha(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def offices(db):
    """The border centres the migrations load, loaded again if a transactional test's flush
    took them (the live-server tests here are transactional without serialized_rollback, which
    breaks as soon as any earlier transactional test flushed without it)."""
    from django.apps import apps

    from safar.core.models import Office
    from safar.core.reference_data import load_reference

    if not Office.objects.filter(kind=Office.Kind.BORDER_CENTRE).exists():
        load_reference(apps)


@pytest.fixture
def du_station(offices):
    """Station DU-1 at the Dushanbe centre, and its raw token."""
    return register_station(name="DU-1", centre_code="ICC-DU")


@pytest.fixture
def su_station(offices):
    return register_station(name="SU-1", centre_code="ICC-SU")
