"""Mapping another CRM's CSV export onto SalesTrack's import columns.

Teams bring exports from HubSpot, Pipedrive or Salesforce, whose headers, value names,
date formats and amounts are not ours. A `Mapping` says how one of their files becomes
one of ours (`propose`, in proposal.py, finds one for a header), `translate` turns one of
their rows into one of ours, and `suggest_values` proposes value maps (their stage names to
ours, owner names to rep emails).

Pure functions on plain data: no queries, no files. What `translate` returns is what the
importers (imports.framework) read: our column names, our value spellings,
ISO dates and plain amounts; the importer still checks everything it always checks.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from difflib import SequenceMatcher

from django.utils.translation import gettext_noop

from core.reasons import Reason
from imports import registry

JSON_VERSION = 1
ISO_DATE = "%Y-%m-%d"
# Our columns that hold dates; `translate` turns their dates into ISO ones.
DATE_COLUMNS = frozenset(
    {"date", "joined_on", "created_on", "opened_on", "expected_close_on", "closed_on"}
)
# When nothing in their file says it, a row of an export is one activity.
DEFAULT_CONSTANTS = {"activities": {"quantity": "1"}}
# A header this similar to one of our column's names is proposed for it (0..1).
COLUMN_THRESHOLD = 0.8
VALUE_THRESHOLD = 0.75

# Other names for our columns, as other tools and spreadsheets spell them (normalised by
# `_key`). Per kind, because an "id" is the prospect's in a contacts file and the deal's in
# a deals file.
_OWNER = ("owner", "owner email", "assigned to", "rep", "sales rep", "salesperson")
SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "users": {
        "email": ("email", "email address", "user email", "work email"),
        "full_name": ("name", "full name", "user", "user name"),
        "role": ("role", "profile", "user role"),
        "team": ("team", "group", "sales team"),
        "joined_on": ("joined", "start date", "hire date", "joined on"),
    },
    "prospects": {
        "external_id": ("id", "record id", "contact id", "lead id", "person id", "external id"),
        "name": ("name", "full name", "contact name", "person name", "lead name"),
        "owner_email": (*_OWNER, "contact owner", "lead owner", "person owner"),
        "company": ("company", "company name", "organization", "organisation", "account name"),
        "email": ("email", "email address", "work email", "contact email"),
        "phone": ("phone", "phone number", "telephone", "mobile", "work phone", "tel"),
        "lead_source": ("source", "lead source", "original source"),
        "created_on": ("created", "create date", "created date", "created on", "date created"),
    },
    "opportunities": {
        "external_id": ("id", "record id", "deal id", "opportunity id", "external id"),
        "name": ("name", "deal name", "opportunity name", "title", "deal title"),
        "owner_email": (*_OWNER, "deal owner", "opportunity owner"),
        "prospect_external_id": (
            "contact id",
            "person id",
            "prospect id",
            "lead id",
            "associated contact id",
            "associated contact ids",
        ),
        "amount": ("amount", "value", "deal value", "deal amount"),
        "revenue_type": ("revenue type", "billing type", "contract type"),
        "stage": ("stage", "deal stage", "pipeline stage", "sales stage"),
        "opened_on": ("created", "create date", "created date", "opened", "deal created"),
        "expected_close_on": ("close date", "expected close date", "expected close"),
        "closed_on": ("closed on", "closed date", "actual close date", "won time"),
        "lead_source": ("source", "lead source", "original source"),
        "product": ("product", "product name"),
    },
    "activities": {
        "date": ("date", "activity date", "due date", "date of activity"),
        "rep_email": (*_OWNER, "assigned", "activity assigned to", "assigned to user", "user"),
        "kind": ("kind", "type", "activity type", "channel"),
        "outcome": ("outcome", "result", "call outcome", "call result", "disposition"),
        "quantity": ("quantity", "count", "number of activities"),
        "prospect_status": ("prospect status", "new or existing"),
        "duration_minutes": ("duration", "duration minutes", "minutes"),
        "prospect_external_id": (
            "contact id",
            "person id",
            "prospect id",
            "lead id",
            "associated contact ids",
        ),
        "opportunity_external_id": ("deal id", "opportunity id", "associated deal ids"),
        "notes": ("notes", "note", "comments", "description", "call notes", "subject"),
    },
}


def our_columns(kind: str) -> tuple[list[str], list[str]]:
    """(required, optional) columns of our files of this kind, from the importer itself."""
    try:
        return registry.columns(kind)
    except LookupError:
        raise ValueError(
            f"unknown import kind {kind!r}; one of {', '.join(registry.kinds())}"
        ) from None


def choices(kind: str, column: str) -> tuple[str, ...]:
    """The fixed values of one of our columns, to name in an error about an unmapped value."""
    return registry.importer(kind).choices.get(column, ())


@dataclass(frozen=True)
class Mapping:
    """How one of their files becomes one of ours. Stored as a user's saved preset
    (`to_json`), so it holds only plain data. Treat the dicts as read-only.

    Columns are ours (`owner_email`), headers and values are theirs (`Deal owner`,
    `Closed Won`). Each of our columns takes its value from one place: `columns` (one of
    their headers), `joins` (several, e.g. first + last name) or `constants` (their file
    has nothing for it, e.g. quantity "1"); our columns with none of these are absent from
    the rows `translate` makes.
    """

    kind: str
    # our column -> their header
    columns: dict[str, str] = field(default_factory=dict)
    # our column -> {their value, casefolded -> our value}. A column with a map takes only
    # the values in it (case-insensitively); an empty map means "the user maps these
    # first" (owner names to rep emails). An our value of "" leaves the cell empty.
    values: dict[str, dict[str, str]] = field(default_factory=dict)
    # our column -> a fixed value, for what their file does not say
    constants: dict[str, str] = field(default_factory=dict)
    # our column -> their headers whose non-empty values join with a space: first and last
    # name, or a won time and a lost time of which one is set.
    joins: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # our column -> (their header, {their value casefolded -> our value}): another column
    # of theirs decides ours when it holds one of these values, e.g. Pipedrive keeps a won
    # deal in its last stage and says "won" in Status, which is our stage "Won".
    overrides: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)
    # our column -> (their header, their values casefolded): our column is left empty
    # unless that column holds one of these values, e.g. a Close Date is a closed_on only
    # for a closed deal (for an open one it is the expected close).
    only_if: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    # strptime formats of their dates, tried in order (ISO dates are always accepted)
    date_format: tuple[str, ...] | str = (ISO_DATE,)
    # our columns holding amounts with currency symbols or thousands separators to strip
    amount_columns: tuple[str, ...] = ()
    # their amounts write 1.234,56 (a comma before the decimals)
    decimal_comma: bool = False
    # their headers a preset leaves out on purpose, which `propose` must not map by name
    # (Salesforce's Call Duration is in seconds, our duration in minutes)
    ignored: tuple[str, ...] = ()

    def __post_init__(self):
        # Accept one format or a list (from JSON) and store an ordered tuple.
        formats = self.date_format
        formats = (formats,) if isinstance(formats, str) else tuple(formats)
        object.__setattr__(self, "date_format", formats or (ISO_DATE,))
        object.__setattr__(self, "amount_columns", tuple(self.amount_columns))
        object.__setattr__(self, "ignored", tuple(self.ignored))
        object.__setattr__(self, "joins", {k: tuple(v) for k, v in self.joins.items()})
        object.__setattr__(
            self, "only_if", {k: (h, tuple(vs)) for k, (h, vs) in self.only_if.items()}
        )
        object.__setattr__(
            self, "overrides", {k: (h, dict(vs)) for k, (h, vs) in self.overrides.items()}
        )
        required, optional = our_columns(self.kind)
        known = set(required) | set(optional)
        for part in (
            self.columns,
            self.values,
            self.constants,
            self.joins,
            self.overrides,
            self.only_if,
        ):
            if unknown := sorted(set(part) - known):
                raise ValueError(
                    f"{', '.join(unknown)}: not a column of {self.kind} "
                    f"(the columns are {', '.join(required + optional)})"
                )
        if unknown := sorted(set(self.amount_columns) - known):
            raise ValueError(f"{', '.join(unknown)}: not a column of {self.kind}")
        if both := sorted(set(self.columns) & (set(self.joins) | set(self.constants))):
            raise ValueError(f"{', '.join(both)}: mapped more than one way")

    @property
    def mapped(self) -> set[str]:
        """Our columns the rows of `translate` have."""
        return set(self.columns) | set(self.joins) | set(self.constants)

    @property
    def sources(self) -> set[str]:
        """Every header of theirs this mapping reads."""
        headers = set(self.columns.values())
        headers.update(h for parts in self.joins.values() for h in parts)
        headers.update(h for h, _ in self.overrides.values())
        headers.update(h for h, _ in self.only_if.values())
        return headers

    def to_json(self) -> dict:
        """Plain JSON data (for a JSONField); `from_json` reads it back."""
        return {
            "version": JSON_VERSION,
            "kind": self.kind,
            "columns": dict(self.columns),
            "values": {k: dict(v) for k, v in self.values.items()},
            "constants": dict(self.constants),
            "joins": {k: list(v) for k, v in self.joins.items()},
            "overrides": {k: [h, dict(vs)] for k, (h, vs) in self.overrides.items()},
            "only_if": {k: [h, list(vs)] for k, (h, vs) in self.only_if.items()},
            "date_format": list(self.date_format),
            "amount_columns": list(self.amount_columns),
            "decimal_comma": self.decimal_comma,
            "ignored": list(self.ignored),
        }

    @classmethod
    def from_json(cls, data: dict) -> "Mapping":
        """A mapping from `to_json` data. Raises ValueError on data it cannot trust (a
        stored preset may predate a change of our columns)."""
        if not isinstance(data, dict) or data.get("version") != JSON_VERSION:
            raise ValueError("not a saved mapping (or one of another version)")
        try:
            return cls(
                kind=data["kind"],
                columns=_str_dict(data.get("columns", {})),
                values={k: _str_dict(v) for k, v in data.get("values", {}).items()},
                constants=_str_dict(data.get("constants", {})),
                joins={k: tuple(map(str, v)) for k, v in data.get("joins", {}).items()},
                overrides={
                    k: (str(h), _str_dict(vs)) for k, (h, vs) in data.get("overrides", {}).items()
                },
                only_if={
                    k: (str(h), tuple(map(str, vs)))
                    for k, (h, vs) in data.get("only_if", {}).items()
                },
                date_format=tuple(map(str, data.get("date_format", [ISO_DATE]))),
                amount_columns=tuple(map(str, data.get("amount_columns", []))),
                decimal_comma=bool(data.get("decimal_comma", False)),
                ignored=tuple(map(str, data.get("ignored", []))),
            )
        except (KeyError, TypeError, AttributeError) as error:
            raise ValueError(f"not a saved mapping: {error}") from error


def _str_dict(data) -> dict[str, str]:
    if not isinstance(data, dict):
        raise TypeError("expected an object")
    return {str(k): str(v) for k, v in data.items()}


# Names ------------------------------------------------------------------------------------


def _fold(value: str) -> str:
    return value.strip().casefold()


def _key(name: str) -> str:
    """A name as compared: case, accents, punctuation, underscores and spacing ignored
    ("E-mail_Address" and "email address" are the same)."""
    name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    name = name.casefold().replace("e-mail", "email")
    return " ".join(re.split(r"[^a-z0-9]+", name)).strip()


def _similarity(theirs: str, name: str) -> float:
    """How much their name (a key) says one of ours (0..1): equal 1; containing all its
    words 0.75-0.95, more for a closer fit ("date of call" is a date, but "status" is not
    a "prospect status"); else difflib's ratio, for spelling variants."""
    if theirs == name:
        return 1.0
    their_words, our_words = theirs.split(), name.split()
    if our_words and set(our_words) <= set(their_words):
        return 0.75 + 0.2 * len(our_words) / len(their_words)
    return SequenceMatcher(None, theirs, name).ratio()


# Translating a row ------------------------------------------------------------------------


def _date(value: str, formats: tuple[str, ...]) -> str | None:
    """The ISO date of one of their dates or datetimes (the time, if any, is dropped)."""
    for fmt in formats:
        try:
            return datetime.strptime(value, fmt).date().isoformat()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value).date().isoformat()
    except ValueError:
        return None


_EXAMPLE_DAY = datetime(2024, 1, 15, 9, 30)


def _amount(value: str, decimal_comma: bool) -> str | None:
    """A plain decimal from an amount with a currency symbol or code and thousands
    separators ("$25,000.00", "EUR 1.250,50", "1 250,50 €"); None when it is not one."""
    text = re.sub(r"[\s\u00a0\u202f'’]", "", value)
    text = re.sub(r"^[^\d.,+-]+|[^\d.,]+$", "", text)  # currency before or after
    # Thousands separators go; the decimal separator becomes a dot.
    text = text.replace(".", "").replace(",", ".") if decimal_comma else text.replace(",", "")
    if not re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text):
        return None
    try:
        return str(Decimal(text.lstrip("+")))
    except InvalidOperation:  # pragma: no cover - the pattern admits only decimals
        return None


def _unmapped(value: str, kind: str, column: str, value_map: dict[str, str]) -> str:
    fixed = choices(kind, column) or tuple(dict.fromkeys(v for v in value_map.values() if v))
    if fixed:
        return Reason(
            gettext_noop("“%(value)s” has no match; map it to one of %(values)s"),
            value=value,
            values=", ".join(fixed),
        )
    return Reason(
        gettext_noop("“%(value)s” has no match yet; map it to a value of %(column)s"),
        value=value,
        column=column,
    )


def translate(
    mapping: Mapping, row: dict[str, str]
) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """One of their rows as one of ours, and what is wrong with it as (their column,
    reason) pairs. Renames, joins, fixed values, value maps (case-insensitive), ISO dates,
    plain amounts. The row has exactly the columns the mapping fills."""
    out: dict[str, str] = {}
    source: dict[str, str] = {}  # our column -> their column(s), for errors
    errors: list[tuple[str, str]] = []

    def cell(header: str) -> str:
        value = row.get(header)
        if value is None:
            errors.append((header, gettext_noop("is not in the file")))
            return ""
        return value.strip()

    for ours, theirs in mapping.columns.items():
        out[ours], source[ours] = cell(theirs), theirs
    for ours, parts in mapping.joins.items():
        out[ours] = " ".join(v for v in (cell(p) for p in parts) if v)
        source[ours] = " + ".join(parts)
    for ours, value in mapping.constants.items():
        out[ours], source[ours] = value, "-"

    for ours in list(out):
        value, theirs = out[ours], source[ours]
        if ours in mapping.only_if:
            condition, allowed = mapping.only_if[ours]
            if _fold(cell(condition)) not in allowed:
                out[ours] = ""
                continue
        if ours in mapping.overrides:
            decider, value_map = mapping.overrides[ours]
            decided = value_map.get(_fold(cell(decider)))
            if decided is not None:
                out[ours] = decided
                continue
        if value and ours in mapping.values and ours not in mapping.constants:
            value_map = mapping.values[ours]
            if (mapped := value_map.get(_fold(value))) is None:
                errors.append((theirs, _unmapped(value, mapping.kind, ours, value_map)))
                continue
            value = out[ours] = mapped
        if value and ours in DATE_COLUMNS and ours not in mapping.constants:
            if (iso := _date(value, mapping.date_format)) is None:
                example = _EXAMPLE_DAY.strftime(mapping.date_format[0])
                errors.append(
                    (
                        theirs,
                        Reason(
                            gettext_noop("“%(value)s” is not a date like %(example)s"),
                            value=value,
                            example=example,
                        ),
                    )
                )
            else:
                out[ours] = iso
        if value and ours in mapping.amount_columns:
            if (plain := _amount(value, mapping.decimal_comma)) is None:
                example = "25.000,00" if mapping.decimal_comma else "25,000.00"
                errors.append(
                    (
                        theirs,
                        Reason(
                            gettext_noop("“%(value)s” is not an amount like %(example)s"),
                            value=value,
                            example=example,
                        ),
                    )
                )
            else:
                out[ours] = plain
    return out, errors


# Suggesting value maps --------------------------------------------------------------------


def suggest_values(their_values: Iterable[str], choices: dict[str, str]) -> dict[str, str]:
    """A value map proposal: each distinct value of theirs (casefolded) to the one of our
    values whose value or label it most resembles, e.g. their stage "Proposal Made" to our
    "Proposal", or an owner "maria lopez" to her email given {email: full name}. Only
    confident, unambiguous matches; the user maps the rest."""
    ours = [(value, {_key(value), _key(label)} - {""}) for value, label in choices.items()]
    suggestions: dict[str, str] = {}
    for raw in their_values:
        folded = _fold(raw)
        if not folded or folded in suggestions:
            continue
        key = _key(raw)
        scored = sorted(
            ((max(_similarity(key, n) for n in names), value) for value, names in ours if names),
            reverse=True,
        )
        if not scored or scored[0][0] < VALUE_THRESHOLD:
            continue
        if len(scored) > 1 and scored[1][0] == scored[0][0] and scored[1][1] != scored[0][1]:
            continue  # two equally good: the user decides
        suggestions[folded] = scored[0][1]
    return suggestions
