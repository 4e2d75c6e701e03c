"""Which importer reads which kind of file. Each app registers its importers in its
AppConfig.ready(), next to its services, so that the framework, the jobs and their Celery
tasks run any app's importer without importing the app (an import-linter contract)."""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Importer:
    """One kind of file: its columns (docs/contracts.md), who may import it, and `run(rows,
    out, *, by, create_missing)`, which checks the rows (reporting each bad one to `out`)
    and writes them, inside the framework's transaction. `choices` are the fixed values of
    some columns, which another tool's values are matched to (imports.mapping)."""

    kind: str
    required: list[str]
    optional: list[str]
    run: Callable
    admins_only: bool = False
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # Columns our own exports add for people (`rep_name` beside `rep_email`) that an import
    # of the same file reads past: neither an error nor a column to match another tool's to.
    read_past: tuple[str, ...] = ()


_importers: dict[str, Importer] = {}
ORDER = ("users", "prospects", "opportunities", "activities")


def register(*importers: Importer) -> None:
    for importer in importers:
        _importers[importer.kind] = importer


def importer(kind: str) -> Importer:
    try:
        return _importers[kind]
    except KeyError:
        raise LookupError(f"no importer for {kind!r} files") from None


def kinds() -> list[str]:
    """The kinds of file, in the order a new organisation imports them."""
    return sorted(_importers, key=lambda kind: ORDER.index(kind) if kind in ORDER else 99)


def columns(kind: str) -> tuple[list[str], list[str]]:
    """(required, optional) columns of a kind of file."""
    found = importer(kind)
    return found.required, found.optional
