"""What text and date fields may hold. The validators sit on the model fields, so the forms
(through the services' `full_clean`) and the CSV importers refuse the same things.

Names — of people, companies, deals, teams, stages — are plain text: no markup, and no
leading `=` (`=cmd|' /C calc'!A0` is CSV injection; no real name starts so). `+20 seats`
or `@Home Realty` are names, though: pages escape every name and CSV downloads guard any
cell that a spreadsheet would read as a formula (`core.exports`). Notes are free
text: anything but control characters.

A date before 2000 is a typo (1926 for 2026), not history anyone tracks here.
"""

import difflib
import re
import unicodedata
from datetime import date

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.currencies import CODES as CURRENCY_CODES

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
        raise ValidationError(_("Leave out < and >: a name is plain text."), code="markup")
    if value.startswith("="):
        raise ValidationError(
            _("A name cannot start with = (a spreadsheet would run it as a formula)."),
            code="formula",
        )
    if has_control_characters(value, allowed=set()):
        raise ValidationError(
            _("Remove the control characters (tabs, line breaks…) from the name."), code="control"
        )


def validate_free_text(value: str) -> None:
    if has_control_characters(value, allowed=ALLOWED_CONTROLS):
        raise ValidationError(
            _("Remove the control characters (such as a NUL byte) from the text."),
            code="control",
        )


def validate_phone(value: str) -> None:
    digits = sum(c.isdigit() for c in value)
    if value and (not PHONE.fullmatch(value) or digits < PHONE_MIN_DIGITS):
        raise ValidationError(
            _("Type a phone number: digits, spaces, + ( ) - and an extension like “ext. 12”."),
            code="phone",
        )


def validate_not_ancient(value: date) -> None:
    if value < EARLIEST_DATE:
        raise ValidationError(
            _("%(day)s is before %(year)s: is the year right?"),
            code="ancient",
            params={"day": value.isoformat(), "year": EARLIEST_DATE.year},
        )


def validate_not_future(value: date) -> None:
    if value > timezone.localdate():
        raise ValidationError(
            _("%(day)s has not come yet."), code="future", params={"day": value.isoformat()}
        )


def lookalike_characters(value: str) -> list[tuple[str, str]]:
    """The compatibility characters in `value` — each one a look-alike of plainer text that
    NFKC folds it into: the Kelvin sign (U+212A) for K, a fullwidth d (U+FF44) for d, the
    ligature fi (U+FB01) for fi — as (character, what it folds to) pairs, each once."""
    found: dict[str, str] = {}
    for char in value:
        plain = unicodedata.normalize("NFKC", char)
        if plain != char:  # the Kelvin sign is even a canonical singleton: NFC folds it
            found.setdefault(char, plain)
    return list(found.items())


def validate_plain_email(value: str) -> None:
    """An email is typed in plain letters (docs/operations.md#email-addresses): an address
    holding a look-alike character is refused, never silently folded into another
    account's address: `diego@demo.salestrack.test` typed with a Kelvin sign for the k is
    not diego's."""
    value = value or ""
    # Folding case changes these beyond lower-casing (ß → ss, ς → σ), and mail systems
    # disagree on whether `straße.de` is `strasse.de`: the stored fold could reach someone else.
    folded = [c for c in dict.fromkeys(value) if c.casefold() != c.lower()]
    if folded:
        raise ValidationError(
            _(
                "This address contains “%(char)s”, which some mail systems read as “%(fold)s” "
                "and others do not. Type the address as your mail provider spells it in "
                "plain letters (a domain in its xn-- form)."
            ),
            code="casefold",
            params={"char": folded[0], "fold": folded[0].casefold()},
        )
    lookalikes = lookalike_characters(value)
    if lookalikes:
        char, plain = lookalikes[0]
        raise ValidationError(
            _(
                "This address contains “%(char)s” (%(name)s), a look-alike of “%(plain)s”. "
                "Type the address with plain letters."
            ),
            code="lookalike",
            params={
                "char": char,
                "name": unicodedata.name(char, f"U+{ord(char):04X}").lower(),
                "plain": plain,
            },
        )


def validate_currency(value: str) -> None:
    """An ISO 4217 code the organisation may count in (core.currencies, docs/contracts.md
    #currency), with the nearest code proposed for a typo ("EUROS" → EUR)."""
    if value in CURRENCY_CODES:
        return
    near = difflib.get_close_matches(value, sorted(CURRENCY_CODES), n=1, cutoff=0.7)
    if near:
        raise ValidationError(
            _(
                "“%(value)s” is not an ISO 4217 currency code. Did you mean %(near)s? "
                "Type the three letters, like EUR, USD or GBP."
            ),
            code="currency",
            params={"value": value, "near": near[0]},
        )
    raise ValidationError(
        _(
            "“%(value)s” is not an ISO 4217 currency code. "
            "Type the three letters, like EUR, USD or GBP."
        ),
        code="currency",
        params={"value": value},
    )
