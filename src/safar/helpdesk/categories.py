"""The starting taxonomy of contact categories (data/categories.json), loaded by a migration.

Run again by a later migration after the file changes: rows are updated by code, never
duplicated, and categories an administrator added stay."""

import json
from pathlib import Path

DATA = Path(__file__).with_name("data") / "categories.json"


def load_categories(apps, schema_editor=None) -> None:
    Category = apps.get_model("helpdesk", "Category")
    groups = json.loads(DATA.read_text(encoding="utf-8"))
    for g_position, group in enumerate(groups):
        parent, _created = Category.objects.update_or_create(
            code=group["code"],
            defaults={
                "parent": None,
                "position": g_position * 100,
                "name_tg": group["tg"],
                "name_ru": group["ru"],
                "name_en": group["en"],
            },
        )
        for position, child in enumerate(group["children"], start=1):
            Category.objects.update_or_create(
                code=f"{group['code']}/{child['code']}",
                defaults={
                    "parent": parent,
                    "position": g_position * 100 + position,
                    "name_tg": child["tg"],
                    "name_ru": child["ru"],
                    "name_en": child["en"],
                },
            )
