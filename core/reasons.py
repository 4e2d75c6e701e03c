"""Sentences we store to show later (an import's row errors, why a webhook delivery got no
answer), kept in no language and put into words when read, in the reader's
(docs/i18n.md#stored-sentences).

A reason is its message id (the English text marked for translation, placeholders and all)
and its values. `Reason` is both at once: a `str` in the active language where one is
wanted now (a form error, the command line), that still knows its message id and values to
be stored (`to_json`):

    {"message": "“%(value)s” is not a date like 2026-11-23", "params": {"value": "31/12"}}

(`params` only when there are values; a value that is itself words is a dict of the same
shape, `{"message": "lead source"}`, a choice's label inside a sentence one that is said in
lower case, `{"message": "Call", "lower": true}` (`label`), and a day `{"date": "2026-11-23"}`
(with its `"pattern"` when not "j M Y"), written as the reader writes a date when read
(`Day`)). `said` puts a stored one into words.
"""

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext

from core.formats import date_pattern


class Day(date):
    """A day as a value of a sentence: written as the reader writes a date, `pattern` as
    English writes it mapped to the reader's language (core.formats.date_pattern: "j F Y"
    reads "7 December 2026", "7 de diciembre de 2026", "2026年12月7日"), whenever it is put
    into words, a form's error now or a stored reason later; stored as its ISO date
    (docs/i18n.md#stored-sentences)."""

    DEFAULT = "j M Y"
    pattern: str

    def __new__(cls, day: date, pattern: str = DEFAULT):
        self = super().__new__(cls, day.year, day.month, day.day)
        self.pattern = pattern
        return self

    def __reduce__(self):  # a copy or a pickle keeps the pattern
        return (Day, (date(self.year, self.month, self.day), self.pattern))

    def __str__(self) -> str:
        return str(date_format(self, date_pattern(self.pattern)))

    def to_json(self) -> dict:
        stored = {"date": self.isoformat()}
        if self.pattern != self.DEFAULT:
            stored["pattern"] = self.pattern
        return stored


def _said(message: str, params: dict) -> str:
    """`message` in the active language with its values; in English, or as it stands, when the
    translation and the values do not fit (a catalogue's slip never hides an error)."""
    try:
        return gettext(message) % params if params else gettext(message)
    except (KeyError, TypeError, ValueError):
        try:
            return message % params if params else message
        except (KeyError, TypeError, ValueError):
            return message


class Reason(str):
    """A reason in the active language that keeps its message id and values.

    `Reason(gettext_noop("no prospect %(id)s"), id="P-7")`: the message id is marked with
    `gettext_noop` (so that `make messages` finds it) and looked up here, now and when read."""

    message: str
    params: dict
    lower: bool = False

    def __new__(cls, message: str, /, **params):
        values = {
            name: value if isinstance(value, Reason | Day) else _plain(value)
            for name, value in params.items()
        }
        self = super().__new__(cls, _said(str(message), values))
        self.message = str(message)
        self.params = values
        return self

    def to_json(self) -> dict:
        stored: dict = {"message": self.message}
        if self.params:
            stored["params"] = {
                name: value.to_json() if isinstance(value, Reason | Day) else value
                for name, value in self.params.items()
            }
        if self.lower:
            stored["lower"] = True
        return stored


class _Lowered(Reason):
    """A Reason said in lower case: a choice's label inside a sentence (`label`)."""

    lower = True

    def __new__(cls, message: str, /):
        self = str.__new__(cls, _said(str(message), {}).lower())
        self.message = str(message)
        self.params = {}
        return self


def label(choice) -> Reason:
    """A choice's label (`Kind(kind)`, its label lazy) as a value inside a sentence: "not an
    outcome of a meeting", "del tipo «cita»", "不是会面的结果". Stored as its msgid and said
    in lower case in the reader's language when read, not as the English word it was when
    raised (docs/i18n.md#stored-sentences)."""
    with translation.override("en"):
        message = str(choice.label if hasattr(choice, "label") else choice)
    return _Lowered(message)


def _plain(value):
    """A value as JSON keeps it: numbers and text as they are, anything else as text (a
    whole Decimal as an int, so that `%(limit)d` still reads it)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def as_reason(reason: str) -> Reason:
    """A reason given as plain text (a message id already looked up in English, or words
    that are data) as a Reason with no values: looked up again when read."""
    return reason if isinstance(reason, Reason) else Reason(str(reason))


def reasons_of(error: ValidationError) -> list[tuple[str, Reason]]:
    """A ValidationError as (column, reason) pairs, one per field ("-" for the whole row):
    each message's id and values (Django's `message` and `params`), several messages of a
    field joined with a space. A message that is not lazy was looked up when it was raised,
    so run the code that raises it in English (as the importers do: imports.framework
    .run_import), and it is its message id."""
    fields = error.error_dict.items() if hasattr(error, "error_dict") else [("-", error.error_list)]
    pairs = []
    for name, errors in fields:
        parts = [_reason_of(one) for one in errors]
        if len(parts) == 1:
            pairs.append((name, parts[0]))
        else:
            spaced = " ".join(f"%(part{i})s" for i in range(len(parts)))
            pairs.append((name, Reason(spaced, **{f"part{i}": p for i, p in enumerate(parts)})))
    return pairs


def _reason_of(error: ValidationError) -> Reason:
    params = error.params or {}
    with translation.override("en"):
        message = str(error.message)
        if not message:
            # A lazy plural ("at most %(limit_value)d character(s)") has no one message id
            # until its number is known: it keeps its English words.
            return Reason(str(error.message % params))
    return Reason(message, **params)


def said(stored: dict) -> str:
    """A stored reason in the active language."""
    if "date" in stored:
        try:
            day = date.fromisoformat(stored["date"])
            return str(Day(day, stored.get("pattern") or Day.DEFAULT))
        except (TypeError, ValueError):
            return str(stored["date"])
    params = {
        name: said(value) if isinstance(value, dict) else value
        for name, value in (stored.get("params") or {}).items()
    }
    text = _said(stored.get("message", ""), params)
    return text.lower() if stored.get("lower") else text
