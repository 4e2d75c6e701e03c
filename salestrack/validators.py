"""What text and date fields may hold. The validators sit on the model fields, so the forms
(through the services' `full_clean`) and the CSV importers refuse the same things.

Names — of people, companies, deals, teams, stages — are plain text: they show up in pages,
in CSV downloads and in spreadsheets, so no markup and no leading formula character
(`=cmd|' /C calc'!A0` is CSV injection). Notes are free text: anything but control
characters; pages escape them and CSV downloads guard them (`salestrack.exports`).

A date before 2000 is a typo (1926 for 2026), not history anyone tracks here.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

FORMULA_STARTS = ("=", "+", "-", "@")
ALLOWED_CONTROLS = {"\n", "\r", "\t"}
EARLIEST_DATE = date(2000, 1, 1)
PHONE = re.compile(r"\+?[0-9][0-9 ()./-]*(?:\s*(?:ext\.?|x)\s*[0-9]+)?", re.IGNORECASE)


def _control_characters(value: str, allowed: set[str]) -> bool:
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in value)


def validate_name(value: str) -> None:
    if "<" in value or ">" in value:
        raise ValidationError("Leave out < and >: a name is plain text.", code="markup")
    if value.startswith(FORMULA_STARTS):
        raise ValidationError(
            "A name cannot start with = + - or @ (a spreadsheet would run it as a formula).",
            code="formula",
        )
    if _control_characters(value, allowed=set()):
        raise ValidationError(
            "Remove the control characters (tabs, line breaks…) from the name.", code="control"
        )


def validate_free_text(value: str) -> None:
    if _control_characters(value, allowed=ALLOWED_CONTROLS):
        raise ValidationError(
            "Remove the control characters (such as a NUL byte) from the text.", code="control"
        )


def validate_phone(value: str) -> None:
    if value and not PHONE.fullmatch(value):
        raise ValidationError(
            "Type a phone number with digits, spaces, + ( ) . - and an optional “ext 12”.",
            code="phone",
        )


def validate_not_ancient(value: date) -> None:
    if value < EARLIEST_DATE:
        raise ValidationError(
            f"{value.isoformat()} is before {EARLIEST_DATE.year}: is the year right?",
            code="ancient",
        )


def validate_not_future(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError(f"{value.isoformat()} has not come yet.", code="future")
