"""Which importer reads which kind of file. Each app registers its importers in its
AppConfig.ready(), so that the jobs here (and their Celery tasks) run any app's importer
without importing the app.

An importer is `run(kind, path, *, by, dry_run, create_missing, progress, mapping)` (the
mapping as JSON, or None) and returns a report with rows, created, updated, unchanged,
errors, error_count, notes, ok and summary() (activities.imports.ImportReport). Its
`fits(kind, header)` says whether a header is the importer's own, or another tool's
export that needs a mapping first."""

from collections.abc import Callable

Importer = Callable[..., object]

_importers: dict[str, Importer] = {}
_fits: dict[str, Callable[[str, list[str]], bool]] = {}


def register(kinds, run: Importer, *, fits=lambda kind, header: True) -> None:
    for kind in kinds:
        _importers[kind] = run
        _fits[kind] = fits


def fits(kind: str, header: list[str]) -> bool:
    return _fits[kind](kind, header)


def importer(kind: str) -> Importer:
    try:
        return _importers[kind]
    except KeyError:
        raise LookupError(f"no importer for {kind!r} files") from None


def kinds() -> list[str]:
    return list(_importers)
