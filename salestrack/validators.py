"""What text and date fields may hold. The validators sit on the model fields, so the forms
(through the services' `full_clean`) and the CSV importers refuse the same things.

Names — of people, companies, deals, teams, stages — are plain text: no markup, and no
leading `=` (`=cmd|' /C calc'!A0` is CSV injection; no real name starts so). `+20 seats`
or `@Home Realty` are names, though: pages escape every name and CSV downloads guard any
cell that a spreadsheet would read as a formula (`salestrack.exports`). Notes are free
text: anything but control characters.

A date before 2000 is a typo (1926 for 2026), not history anyone tracks here.
"""

import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone

ALLOWED_CONTROLS = {"\n", "\r", "\t"}
EARLIEST_DATE = date(2000, 1, 1)
# Digits, spaces, + ( ) . / - # , and letters (for "ext. 12" or 1-800-FLOWERS).
PHONE = re.compile(r"[+(\d][\w\s()./#,-]*")
PHONE_MIN_DIGITS = 3


def has_control_characters(value: str, allowed=ALLOWED_CONTROLS) -> bool:
    """Control characters (Unicode Cc: NUL, C1 codes…) other than `allowed`."""
    return any(unicodedata.category(c) == "Cc" and c not in allowed for c in value)


def validate_name(value: str) -> None:
    if "<" in value or ">" in value:
        raise ValidationError("Leave out < and >: a name is plain text.", code="markup")
    if value.startswith("="):
        raise ValidationError(
            "A name cannot start with = (a spreadsheet would run it as a formula).",
            code="formula",
        )
    if has_control_characters(value, allowed=set()):
        raise ValidationError(
            "Remove the control characters (tabs, line breaks…) from the name.", code="control"
        )


def validate_free_text(value: str) -> None:
    if has_control_characters(value, allowed=ALLOWED_CONTROLS):
        raise ValidationError(
            "Remove the control characters (such as a NUL byte) from the text.", code="control"
        )


def validate_phone(value: str) -> None:
    digits = sum(c.isdigit() for c in value)
    if value and (not PHONE.fullmatch(value) or digits < PHONE_MIN_DIGITS):
        raise ValidationError(
            "Type a phone number: digits, spaces, + ( ) - and an extension like “ext. 12”.",
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
