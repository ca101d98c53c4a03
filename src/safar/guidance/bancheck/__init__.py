"""Stay calculator and entry-ban self-check (pure Python; the rules come in as a RuleBook).

>>> case = parse_case({"as_of": "2026-11-22", "stays": [...]}, today=date.today())
>>> answer(case, DEFAULT_RULES)   # the JSON answer: entry_possible_from, bans, stays, explanation
"""

from .case import Case, InvalidCase, Problem, case_to_json, parse_case
from .engine import Ban, CurrentStay, Result, StayResult, Verdict, add_years, check
from .explain import explanations
from .rules import DEFAULT_RULES, BanRule, RuleBook, StayLimit


def result_to_json(result: Result) -> dict:
    """The answer exactly as the API and the CLI print it."""
    return {
        "verdict": result.verdict,
        "entry_possible_from": (
            result.entry_possible_from.isoformat() if result.entry_possible_from else None
        ),
        "bans": [ban.as_json() for ban in result.bans],
        "stays": [stay.as_json() for stay in result.stays],
        "current_stay": result.current.as_json() if result.current else None,
        "explanation": explanations(result),
    }


def answer(case: Case, rules: RuleBook) -> dict:
    """The JSON answer to one case under a rule book."""
    return result_to_json(check(case, rules))


__all__ = [
    "DEFAULT_RULES",
    "Ban",
    "BanRule",
    "Case",
    "CurrentStay",
    "InvalidCase",
    "Problem",
    "Result",
    "RuleBook",
    "StayLimit",
    "StayResult",
    "Verdict",
    "add_years",
    "answer",
    "case_to_json",
    "check",
    "parse_case",
    "result_to_json",
]
