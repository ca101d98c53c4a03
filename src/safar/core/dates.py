"""The one parser of dates typed by people or sent by clients: exactly YYYY-MM-DD.

Python 3.11's `date.fromisoformat` also takes week dates (`2026-W01-1`), ordinal dates
(`2026-335`) and compact forms (`20261201`); none of these is what a person meant by a date in
Safar's boxes and JSON, so input goes through `parse_iso_date` instead (plain Python, so that
the pure libraries use it too; `safar.core.fields.IsoDateField` is the form field).
"""

import re
from datetime import date

ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def parse_iso_date(text: str) -> date:
    """The date written as YYYY-MM-DD (ASCII digits, nothing around them).

    Raises ValueError for any other form, and for a day that does not exist (2024-02-30).
    """
    if not isinstance(text, str) or not ISO_DATE_RE.fullmatch(text):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {text!r}")
    year, month, day = (int(part) for part in text.split("-"))
    return date(year, month, day)
