"""The starter articles, kept as text files in data/articles/ (one file, three languages).

File layout::

    slug: registration
    topic: in_russia
    position: 1
    last_checked_on: 2026-11-22
    sources:
    Federal Law 109-FZ of 18.07.2006, art. 20
    sources tg:
    Қонуни федералии № 109-ФЗ аз 18.07.2006, моддаи 20
    sources ru:
    Федеральный закон от 18.07.2006 № 109-ФЗ, ст. 20
    --- tg
    title: …
    summary: …

    Markdown body …
    --- ru
    …
"""

from datetime import date
from pathlib import Path

from .search import normalise

ARTICLES_DIR = Path(__file__).resolve().parent / "data" / "articles"
LANGUAGES = ("tg", "ru", "en")


class SeedError(ValueError):
    pass


def parse_article(path: Path) -> dict:
    """One article file as the Article fields; SeedError names the file and line."""
    values: dict = {}
    head, *sections = path.read_text(encoding="utf-8").split("\n--- ")
    lines = head.splitlines()
    for number, line in enumerate(lines, start=1):
        if line.startswith("sources:"):
            values.update(_sources(lines[number:]))
            break
        key, sep, value = line.partition(":")
        if not sep:
            raise SeedError(f"{path.name}:{number}: expected 'key: value'")
        values[key.strip()] = value.strip()
    for section in sections:
        language, _nl, text = section.partition("\n")
        language = language.strip()
        if language not in LANGUAGES:
            raise SeedError(f"{path.name}: unknown language section {language!r}")
        title, summary, body = text.split("\n", 2)
        if not title.startswith("title: ") or not summary.startswith("summary: "):
            raise SeedError(f"{path.name}: section {language} must start with title: and summary:")
        values[f"title_{language}"] = title.removeprefix("title: ").strip()
        values[f"summary_{language}"] = summary.removeprefix("summary: ").strip()
        values[f"body_{language}"] = body.strip() + "\n"
    missing = [f"body_{lang}" for lang in LANGUAGES if f"body_{lang}" not in values]
    if missing:
        raise SeedError(f"{path.name}: missing {', '.join(missing)}")
    values["position"] = int(values.get("position", 0))
    values["last_checked_on"] = date.fromisoformat(values["last_checked_on"])
    return values


def _sources(lines: list[str]) -> dict[str, str]:
    """The lines after "sources:": English, then "sources tg:" and "sources ru:" blocks."""
    found: dict[str, list[str]] = {"sources_en": []}
    key = "sources_en"
    for line in lines:
        if line.startswith("sources ") and line.endswith(":"):
            key = f"sources_{line.removeprefix('sources ').removesuffix(':').strip()}"
            found[key] = []
        else:
            found[key].append(line)
    return {name: "\n".join(text).strip() for name, text in found.items()}


def _for_model(values: dict, fields: set[str]) -> dict:
    """The values the model of this point in the migrations has: before the sources had a
    language the English ones went into "sources"."""
    if "sources" in fields:
        values = {**values, "sources": values.get("sources_en", "")}
    return {name: value for name, value in values.items() if name in fields}


def seed_articles(apps, schema_editor=None) -> None:
    """Create the starter articles that do not exist yet, each with its first version."""
    Article = apps.get_model("guidance", "Article")
    ArticleVersion = apps.get_model("guidance", "ArticleVersion")
    fields = {field.name for field in Article._meta.get_fields()}
    for path in sorted(ARTICLES_DIR.glob("*.md")):
        values = _for_model(parse_article(path), fields)
        if Article.objects.filter(slug=values["slug"]).exists():
            continue
        text = " ".join(
            values[f"{p}_{lang}"] for p in ("title", "summary", "body") for lang in LANGUAGES
        )
        article = Article.objects.create(**values, search_text=normalise(text))
        content = {**values, "published": True, "last_checked_on": str(values["last_checked_on"])}
        ArticleVersion.objects.create(
            article=article, number=1, note="Starter text", content=content
        )


def translate_sources(apps, schema_editor=None) -> None:
    """Give the starter articles their sources in Tajik and Russian, where an editor has not
    changed the English ones since (an edited list is left for the editor to translate)."""
    Article = apps.get_model("guidance", "Article")
    for path in sorted(ARTICLES_DIR.glob("*.md")):
        values = parse_article(path)
        Article.objects.filter(
            slug=values["slug"], sources_en=values.get("sources_en", ""), sources_tg=""
        ).update(sources_tg=values.get("sources_tg", ""), sources_ru=values.get("sources_ru", ""))
