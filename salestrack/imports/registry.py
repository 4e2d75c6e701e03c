"""Which importer reads which kind of file. Each app registers its importers in its
AppConfig.ready(), so that the jobs here (and their Celery tasks) run any app's importer
without importing the app.

An importer is `run(kind, path_or_bytes, *, by, dry_run, create_missing, progress)` and
returns a report with rows, created, updated, unchanged, errors, error_count, notes, ok
and summary() (activities.imports.ImportReport)."""

from collections.abc import Callable

Importer = Callable[..., object]

_importers: dict[str, Importer] = {}


def register(kinds, run: Importer) -> None:
    for kind in kinds:
        _importers[kind] = run


def importer(kind: str) -> Importer:
    try:
        return _importers[kind]
    except KeyError:
        raise LookupError(f"no importer for {kind!r} files") from None


def kinds() -> list[str]:
    return list(_importers)
