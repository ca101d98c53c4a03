"""Loads the committed reference data files; used by data migrations and by tests."""

import csv
import json
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent / "data"
ROLE_NAMES = ("operator", "analyst", "administrator")


def load_reference(apps) -> None:
    """Create or update offices, regions, countries, border points, purposes and role groups."""
    data = json.loads((DATA_DIR / "reference.json").read_text(encoding="utf-8"))
    Office = apps.get_model("core", "Office")
    Region = apps.get_model("core", "Region")
    for row in data["regions"]:
        Region.objects.update_or_create(code=row["code"], defaults=row)
    # Parents come first in the file; region and parent are optional (older files lack them).
    has_links = any(f.name == "parent" for f in Office._meta.get_fields())
    for row in data["offices"]:
        row = dict(row)
        region, parent = row.pop("region", None), row.pop("parent", None)
        if has_links:
            row["region_id"] = region
            row["parent"] = Office.objects.get(code=parent) if parent else None
        Office.objects.update_or_create(code=row["code"], defaults=row)
    Purpose = apps.get_model("core", "Purpose")
    for row in data["purposes"]:
        Purpose.objects.update_or_create(code=row["code"], defaults=row)
    BorderPoint = apps.get_model("core", "BorderPoint")
    for row in data["border_points"]:
        centre = Office.objects.get(code=row["centre"])
        BorderPoint.objects.update_or_create(code=row["code"], defaults={**row, "centre": centre})
    Country = apps.get_model("core", "Country")
    with (DATA_DIR / "countries.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            Country.objects.update_or_create(code=row["code"], defaults=row)
    Group = apps.get_model("auth", "Group")
    for name in ROLE_NAMES:
        Group.objects.get_or_create(name=name)


def load_districts(apps) -> None:
    """Districts and cities of Tajikistan, each attached to its region."""
    District = apps.get_model("core", "District")
    with (DATA_DIR / "districts.csv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            code, region = row.pop("code"), row.pop("region")
            District.objects.update_or_create(code=code, defaults={**row, "region_id": region})
