"""The capture tests' world: media in a temporary folder, and the task backend of each test's
choosing (the dummy backend keeps tasks queued, the immediate one runs them at once)."""

import io

import pytest
from PIL import Image, ImageDraw

from safar.core.models import Office

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path  # confirmed characters for retraining go under DATA_DIR
    # The world's users are created per test; a slow password hash would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings.MEDIA_ROOT


@pytest.fixture
def queued_tasks(settings):
    """Tasks are recorded, not run: the test runs them itself, as a worker would."""
    settings.TASKS = DUMMY
    from django.tasks import default_task_backend

    default_task_backend.clear()
    yield default_task_backend
    default_task_backend.clear()


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = IMMEDIATE


@pytest.fixture
def centre_du(db):
    return Office.objects.get(code="ICC-DU")


@pytest.fixture
def centre_su(db):
    return Office.objects.get(code="ICC-SU")


def page_image(text: str, size=(600, 400)) -> Image.Image:
    """A plain grey page with a line of text: not a card, but a real page."""
    image = Image.new("L", size, 255)
    ImageDraw.Draw(image).text((size[0] // 15, size[1] // 4), text, fill=0)
    return image


def pdf_of(*images: Image.Image, dpi: int = 100) -> bytes:
    buffer = io.BytesIO()
    images[0].save(
        buffer, format="PDF", save_all=True, append_images=list(images[1:]), resolution=dpi
    )
    return buffer.getvalue()


def tiff_of(*images: Image.Image) -> bytes:
    buffer = io.BytesIO()
    images[0].save(buffer, format="TIFF", save_all=True, append_images=list(images[1:]))
    return buffer.getvalue()


def png_of(image: Image.Image) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
