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


ARTICLE_LINKS = Path(__file__).with_name("data") / "category_articles.json"


def link_articles(apps, schema_editor=None) -> None:
    """Link each category to the guide articles that answer it (data/category_articles.json).

    Only categories without links yet get them, so a later run keeps what administrators
    changed; an article the guide does not hold (deleted, renamed) is skipped."""
    Category = apps.get_model("helpdesk", "Category")
    Article = apps.get_model("guidance", "Article")
    links = json.loads(ARTICLE_LINKS.read_text(encoding="utf-8"))
    for code, slugs in links.items():
        category = Category.objects.filter(code=code).first()
        if category is None or category.articles.exists():
            continue
        by_slug = {a.slug: a for a in Article.objects.filter(slug__in=slugs)}
        category.articles.set([by_slug[slug] for slug in slugs if slug in by_slug])
