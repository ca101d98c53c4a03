"""Scans in the shape the reader stores them, for tests of the review screens (the reader
itself is exercised in test_pipeline.py)."""

import datetime

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from safar.capture.models import Batch, Scan, Upload

from .conftest import page_image, png_of

VALUES = {
    "card_number": "AA0000123",
    "direction": "exit",
    "crossed_on": "2026-11-20",
    "border_point": "DYU",
    "surname": "РАҲИМОВ",
    "given_names": "ФАРРУХ",
    "sex": "M",
    "birth_date": "1990-07-14",
    "citizenship": "TJK",
    "passport_number": "400123456",
    "purpose": "work",
    "country": "RUS",
    "region": "TJ-DU",
    "district": None,
}
_upload_counter = iter(range(1, 10**6))


def make_scan(
    centre, *, values=VALUES, doubtful=("surname",), aligned=True, reason=Scan.ReviewReason.DOUBTFUL
) -> Scan:
    """A page of `centre` read and waiting for review, with crops for the doubtful fields."""
    n = next(_upload_counter)
    batch, _ = Batch.objects.get_or_create(
        centre=centre, uploaded_by=None, station=None, day=datetime.date(2026, 11, 21)
    )
    content = png_of(page_image(f"card {n}"))
    upload = Upload.objects.create(
        sha256=f"{n:064d}",
        batch=batch,
        original_name=f"{n}.png",
        extension=".png",
        size=len(content),
        status=Upload.Status.SPLIT,
    )
    upload.file.save(f"{n}.png", ContentFile(content))
    scan = Scan.objects.create(
        upload=upload,
        page=1,
        image=upload.file.name,
        status=Scan.Status.NEEDS_REVIEW,
        review_reason=reason,
        card_number=(values or {}).get("card_number", ""),
    )
    fields = {}
    for name in doubtful:
        crop = default_storage.save(
            f"crops/{scan.pk}/{name}.png", ContentFile(png_of(page_image(name, (200, 40))))
        )
        fields[name] = {
            "value": values[name],
            "confidence": 0.4,
            "valid": True,
            "problem": "",
            "target": name,
            "crop": crop,
            "confident": False,
        }
    scan.reading = {
        "aligned": aligned,
        "unreadable": False,
        "problem": "",
        "confident": False,
        "fields": fields,
        "values": dict(values) if aligned else {},
        "doubtful": list(doubtful),
        "mrz": None,
    }
    scan.save()
    return scan
