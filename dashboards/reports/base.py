"""The one shape of a report (docs/architecture.md#reports), after PostHog's query runners.

A report is built from a scope (dashboards.scope) and, unless it is today's, a period:
`FunnelReport(scope, period, today=...)`. Building one runs no query; `calculate()` does
the work, once, and returns a frozen result that prints itself three ways: `as_json()`
(what `manage.py report … --format json` and the API answer), `rows()` (the header and
rows of its CSV download and `--format csv`) and `table()` (the command's text table).
"""

from dataclasses import dataclass, field
from typing import Protocol

from core.formats import money_column
from users import organisation


def csv_header(names: list[str], money: set[str] | frozenset[str]) -> list[str]:
    """A CSV download's header: each money column named with the organisation's currency
    ("revenue_won" → "revenue_won_eur"), the others as they are (docs/contracts.md#currency)."""
    return [
        money_column(name, organisation.currency()) if name in money else name for name in names
    ]


def with_currency(data: dict) -> dict:
    """A report's JSON with the organisation's currency at the top (`"currency": "EUR"`):
    every amount in it is in that currency."""
    return {**data, "currency": organisation.currency()}


@dataclass(frozen=True)
class Table:
    """What `manage.py report` prints for people: a title, aligned columns (the first
    `text_columns` to the left, numbers to the right) and a closing note."""

    header: list[str]
    rows: list[list]
    title: str = ""
    text_columns: int = 1
    notes: list[str] = field(default_factory=list)


class Result(Protocol):
    def as_json(self) -> dict: ...

    def rows(self) -> tuple[list[str], list[list]]: ...

    def table(self) -> Table: ...


class Report[R: Result]:
    """Cheap to build; `calculate()` works the result out on its first call and hands back
    the same one after."""

    _result: R | None = None

    def calculate(self) -> R:
        if self._result is None:
            self._result = self._calculate()
        return self._result

    def _calculate(self) -> R:
        raise NotImplementedError

    def as_json(self) -> dict:
        return self.calculate().as_json()


class Figure:
    """A report's attribute read from its result, for a caller after one figure:
    `report.total` is `report.calculate().total` (`Figure("reps")` when the names differ)."""

    def __init__(self, name: str | None = None):
        self.name = name

    def __set_name__(self, owner, name):
        self.name = self.name or name

    def __get__(self, report, owner=None):
        if report is None:
            return self
        return getattr(report.calculate(), self.name)
