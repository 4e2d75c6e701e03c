"""Sentences we store to show later (an import's row errors, why a webhook delivery got no
answer), kept in no language and put into words when read, in the reader's
(docs/i18n.md#stored-sentences).

A reason is its message id (the English text marked for translation, placeholders and all)
and its values. `Reason` is both at once: a `str` in the active language where one is
wanted now (a form error, the command line), that still knows its message id and values to
be stored (`to_json`):

    {"message": "“%(value)s” is not a date like 2026-11-23", "params": {"value": "31/12"}}

(`params` only when there are values; a value that is itself words is a dict of the same
shape, `{"message": "lead source"}`). `said` puts a stored one into words.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext


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

    def __new__(cls, message: str, /, **params):
        values = {
            name: value if isinstance(value, Reason) else _plain(value)
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
                name: value.to_json() if isinstance(value, Reason) else value
                for name, value in self.params.items()
            }
        return stored


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
    params = {
        name: said(value) if isinstance(value, dict) else value
        for name, value in (stored.get("params") or {}).items()
    }
    return _said(stored.get("message", ""), params)
