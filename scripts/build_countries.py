"""Writes src/safar/core/data/countries.csv from the ISO 3166-1 list and its translations.

The names come from the iso-codes project as packaged by pycountry. Run once when the list
changes; the CSV is committed so that migrations never depend on this package's version.
"""

import csv
import gettext
from pathlib import Path

import pycountry

OUT = Path(__file__).resolve().parent.parent / "src/safar/core/data/countries.csv"
# Names used in Tajikistan where iso-codes has no Tajik translation or an outdated one.
TG_OVERRIDES = {"TUR": "Туркия", "RUS": "Федератсияи Россия"}  # see docs/glossary.md


def main() -> None:
    tg = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["tg"])
    ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
    rows = []
    for country in pycountry.countries:
        en = getattr(country, "common_name", None) or country.name
        rows.append(
            {
                "code": country.alpha_3,
                "alpha2": country.alpha_2,
                "name_tg": TG_OVERRIDES.get(country.alpha_3) or tg.gettext(country.name),
                "name_ru": ru.gettext(country.name),
                "name_en": en,
            }
        )
    rows.sort(key=lambda r: r["code"])
    with OUT.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} countries written to {OUT}")


if __name__ == "__main__":
    main()
