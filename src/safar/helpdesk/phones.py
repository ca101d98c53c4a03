"""Phone numbers as the helpdesk keeps them: E.164, a number typed without a country code being
Tajik (the hotline's callers are mostly at home; migrants abroad dial with +7, +90, …)."""

from __future__ import annotations

import phonenumbers

DEFAULT_REGION = "TJ"


class InvalidPhone(ValueError):
    """The text is not a phone number that can be dialled."""


def normalise_phone(text: str, *, default_region: str = DEFAULT_REGION) -> str:
    """`text` as E.164 ("+992931234567"); raises InvalidPhone for anything not a valid number.

    "93 123 4567" and "0931234567" are Tajik; "+7 916 123-45-67" and "007 916…" keep their
    country."""
    cleaned = (text or "").strip()
    if cleaned.startswith("00"):
        cleaned = "+" + cleaned[2:]  # the international prefix dialled from Tajikistan and Russia
    try:
        number = phonenumbers.parse(cleaned, default_region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidPhone(str(exc)) from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone(cleaned)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
