"""Turning raw box readings into values, and checking them: dates, codes, patterns, rules."""

from __future__ import annotations

import datetime as dt
import functools
import re

from .template import Template


@functools.cache
def country_codes() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_3 for c in pycountry.countries)


def _flag(r, problem: str) -> None:
    if r.valid:  # keep the first reason: it is usually the cause of the others
        r.valid, r.problem = False, problem


def _normalise(r, f, today: dt.date) -> None:
    raw = r.value or ""
    if f.format == "date":
        digits = raw.replace(" ", "")
        if not digits:
            r.value = None
        elif len(digits) != 8 or " " in raw.strip():
            r.value = raw.strip() or None
            _flag(r, "the date is incomplete")
        else:
            try:
                r.value = dt.date(int(digits[4:]), int(digits[2:4]), int(digits[:2])).isoformat()
            except ValueError:
                r.value = f"{digits[:2]}.{digits[2:4]}.{digits[4:]}"
                _flag(r, "not a real date")
        return
    text = raw.strip()
    if f.charset == "names":
        text = re.sub(r" +", " ", text)
    elif " " in text:
        _flag(r, "a box is empty between written ones")
        text = text.replace(" ", "")
    r.value = text or None
    if r.value is None:
        return
    if f.codes == "countries" and r.value not in country_codes():
        _flag(r, "not a known country code")
    elif isinstance(f.codes, tuple) and r.value not in f.codes:
        _flag(r, "not a known code")
    if f.pattern and f.kind != "serial" and not re.fullmatch(f.pattern, r.value):
        _flag(r, "does not have the expected form")
    if f.kind == "serial" and f.pattern and not re.fullmatch(f.pattern, r.value):
        _flag(r, "the card number does not have the expected form")


def _fold_other(readings: dict, template: Template) -> None:
    """A checkbox group whose 'other' box is marked takes its value from the code boxes."""
    for f in template.fields:
        for o in f.options:
            if o.other is None:
                continue
            group, code = readings[f.name], readings[o.other]
            if group.raw == "other":
                group.value = code.value
                group.confidence = min(group.confidence, code.confidence)
                if code.value is None:
                    _flag(group, "'other' is marked but no code is written")
                elif not code.valid:
                    _flag(group, code.problem)
            elif code.value is not None:
                _flag(code, "a code is written but 'other' is not marked")
                _flag(group, "a code is written but 'other' is not marked")


def _holds(readings: dict, when: dict) -> bool | None:
    """Whether a rule's condition holds; None when the field it depends on is itself doubtful."""
    r = readings[when["field"]]
    if not r.valid:
        return None
    if "equals" in when:
        return r.value == when["equals"]
    return (r.value is not None) == bool(when.get("filled", True))


def _apply_rule(rule: dict, readings: dict, today: dt.date) -> None:
    r = readings[rule["field"]]
    kind = rule["kind"]
    if kind in ("required_if", "empty_unless"):
        holds = _holds(readings, rule["when"])
        if holds is None:
            return
        if kind == "required_if" and holds and r.value is None:
            _flag(r, "must be filled in for this card")
        if kind == "empty_unless" and not holds and r.value is not None:
            _flag(r, "must be left empty for this card")
    elif kind == "lookup":
        if r.value is None or not r.valid:
            return
        by = readings[rule["by"]]
        table = rule["table"].get(by.value or "", {})
        if r.value in table:
            r.value = table[r.value]
        elif by.valid and by.value is not None:
            _flag(r, "no such number in the list")
    elif kind == "before":
        other = readings[rule["other"]]
        if r.valid and other.valid and r.value and other.value and r.value >= other.value:
            _flag(r, f"must be before {rule['other'].replace('_', ' ')}")
    elif kind == "not_after_today":
        if r.valid and r.value and r.value > today.isoformat():
            _flag(r, "is in the future")


def normalise_and_check(readings: dict, template: Template, today: dt.date) -> None:
    for f in template.fields:
        if f.kind != "checkboxes":
            _normalise(readings[f.name], f, today)
    _fold_other(readings, template)
    for f in template.fields:
        r = readings[f.name]
        if f.required and r.value in (None, []):  # [] : nothing chosen where any may be
            _flag(r, "nothing marked" if f.kind == "checkboxes" else "empty")
    for rule in template.rules:
        _apply_rule(rule, readings, today)
