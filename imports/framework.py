"""The import framework every app's importer runs in (docs/contracts.md): reading the file
(`csvfile.CsvFile`, through a `mapping` for another tool's export), row errors as
`line N, column C: reason`, the whole-or-nothing transaction, progress, and the small
parsers and look-ups importers share. Each app registers its importers
(`registry.register`) next to its services: users in users, prospects and
opportunities in pipeline, activities in activities.

A file imports whole or not at all: every row is checked first and every bad row is
reported; only a clean file is written, in one transaction. Rows are matched on
`external_id` (users on email, activities on all their columns), so importing the same
file twice changes nothing. Look-ups take one query per set of keys, whatever the rows;
writes go in batches.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext, gettext_noop, ngettext

from core.reasons import Reason, as_reason, reasons_of
from imports import registry
from imports.csvfile import PROGRESS_EVERY, CsvFile, UnreadableFile
from imports.csvfile import has_control_characters as has_control
from imports.mapping import Mapping, translate
from imports.reasons import error_text
from users.models import Role, User, canonical_email
from users.selectors import reps_visible_to

BATCH_SIZE = 5000


MAX_ERRORS_KEPT = 1000  # a file with a million bad rows keeps the first thousand messages


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    # Row errors as stored (imports.reasons: line, column, message id and values) and
    # notes about the file (message ids), put into words when read.
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.error_count

    @property
    def messages(self) -> list[str]:
        """The row errors in the active language: `line N, column C: reason`."""
        return [error_text(error) for error in self.errors]

    def summary(self) -> str:
        if self.error_count:
            return ngettext(
                "%(errors)s error in %(rows)s rows: nothing was imported.",
                "%(errors)s errors in %(rows)s rows: nothing was imported.",
                self.error_count,
            ) % {"errors": self.error_count, "rows": self.rows}
        counts = {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
        }
        if self.dry_run:
            return (
                gettext(
                    "%(rows)s rows: %(created)s would be created, %(updated)s would be updated, "
                    "%(unchanged)s unchanged."
                )
                % counts
            )
        return (
            gettext(
                "%(rows)s rows: %(created)s were created, %(updated)s were updated, "
                "%(unchanged)s unchanged."
            )
            % counts
        )


class Rejected(Exception):
    """Raised inside the write transaction so that a file with errors leaves nothing."""


Progress = Callable[[str, int, int], None]


class RowErrors:
    """Collects row errors (line, column, reason: imports.reasons) while rows are read, and tells
    `progress(phase, done, total)` how far the import is (phases: reading, checking,
    writing)."""

    def __init__(self, report: ImportReport, progress: Progress | None = None):
        self.report = report
        self._progress = progress
        # With another tool's file, messages name its columns (their header for ours).
        self.their_names: dict[str, str] = {}

    def error(self, line: int, column: str, reason: str) -> None:
        """`reason`: a Reason (a message id and its values), or plain text, which is looked up
        as a message id when read (docs/i18n.md#stored-sentences)."""
        self.report.error_count += 1
        if len(self.report.errors) < MAX_ERRORS_KEPT:
            column = self.their_names.get(column, column)
            self.report.errors.append(
                {"line": line, "column": column, **as_reason(reason).to_json()}
            )

    def invalid(self, line: int, error: ValidationError) -> None:
        """A ValidationError of a model or a service: one error per field it names."""
        for column, reason in reasons_of(error):
            self.error(line, column, reason)

    def progress(self, phase: str, done: int) -> None:
        if self._progress is not None:
            self._progress(phase, done, self.report.rows)

    def checking(self, rows: Iterable) -> Iterator:
        """`rows`, telling the progress every PROGRESS_EVERY rows."""
        done = 0
        for done, item in enumerate(rows, start=1):
            if done % PROGRESS_EVERY == 0:
                self.progress("checking", done)
            yield item
        self.progress("checking", done)


# Reading the file -------------------------------------------------------------------------


class Rows:
    """The file's rows as (line, {column: cell}), read from disk again on every pass (an
    importer makes a few: one per set of keys it looks up, then one to check and write).
    Rows with the wrong number of cells or a control character are reported once, by
    `check_structure`, and skipped by every later pass."""

    def __init__(self, csv_file: CsvFile, out: "RowErrors", mapping: Mapping | None = None):
        self.csv_file = csv_file
        self.out = out
        self.mapping = mapping
        self.bad_lines: set[int] = set()

    def check_structure(self) -> None:
        header = self.csv_file.header
        rows = 0
        for row in self.csv_file.rows(progress=lambda n: self.out.progress("reading", n)):
            rows += 1
            if row.problem is not None:
                self.bad_lines.add(row.line)
                self.out.error(row.line, "-", row.problem)
                continue
            if None in row.values:
                self.bad_lines.add(row.line)
                self.out.error(
                    row.line,
                    "-",
                    Reason(
                        gettext_noop("has %(cells)s cells, the header has %(columns)s"),
                        cells=len(row.values[None]),
                        columns=len(header),
                    ),
                )
                continue
            # One search over the row's text; the cells only when it finds something.
            if has_control("".join(row.values.values())) and (
                bad := [name for name, value in row.values.items() if has_control(value)]
            ):
                # Caught here, before any query: PostgreSQL refuses NUL bytes outright.
                self.bad_lines.add(row.line)
                for name in bad:
                    self.out.error(
                        row.line,
                        name,
                        gettext_noop(
                            "contains a control character (such as a NUL byte); is the file "
                            "UTF-8 text?"
                        ),
                    )
                continue
            if self.mapping is not None:
                _, problems = translate(self.mapping, row.values)
                if problems:
                    self.bad_lines.add(row.line)
                    for column, reason in problems:
                        self.out.error(row.line, column, reason)
        self.out.report.rows = rows - len(self.bad_lines)
        if not rows:
            self.out.error(
                2, "-", gettext_noop("there are no rows below the header; nothing to import")
            )

    def __iter__(self) -> Iterator[tuple[int, dict]]:
        """Our rows: another tool's are translated through the mapping first."""
        for row in self.csv_file.rows():
            if row.line in self.bad_lines:
                continue
            if self.mapping is None:
                yield row.line, row.values
            else:
                yield (
                    row.line,
                    _with_optional(self.mapping.kind, translate(self.mapping, row.values)[0]),
                )


def _with_optional(kind: str, row: dict) -> dict:
    """A translated row has only the columns the mapping fills; the importers read every
    optional column of ours, empty when the file has none."""
    required, optional = registry.columns(kind)
    return {name: row.get(name, "") for name in required + optional}


def _check_mapping(mapping: Mapping, header: list[str], out: "RowErrors") -> None:
    """Another tool's file: each column of ours that is required must be filled, and each
    column of theirs the mapping reads must be in the file."""
    required, _ = registry.columns(mapping.kind)
    for name in required:
        if name not in mapping.mapped:
            out.error(
                1,
                name,
                gettext_noop("not matched to a column of the file (or a value for every row)"),
            )
    for name in sorted(mapping.sources - set(header)):
        out.error(1, name, gettext_noop("not in this file; match the columns again"))


def header_fits(kind: str, header: list[str]) -> bool:
    """Whether a header is one of our own files' (then any error in it is reported as
    such), or most likely another tool's export, which needs a mapping first: true when
    at least half of its columns are ours."""
    required, optional = registry.columns(kind)
    read_past = registry.importer(kind).read_past
    ours = sum(name in required or name in optional or name in read_past for name in header)
    return bool(header) and ours * 2 >= len(header)


def _check_header(kind: str, header: list[str], out: "RowErrors") -> None:
    required, optional = registry.columns(kind)
    for name, count in Counter(header).items():
        if count > 1:
            out.error(1, name, Reason(gettext_noop("appears %(count)s times"), count=count))
    read_past = registry.importer(kind).read_past
    for name in header:
        if name not in required and name not in optional and name not in read_past:
            out.error(
                1,
                name,  # an empty name reads "(empty)" (imports.reasons.error_text)
                Reason(
                    gettext_noop("unknown column; the columns are %(columns)s"),
                    columns=", ".join(required + optional),
                ),
            )
    for name in required:
        if name not in header:
            out.error(1, name, gettext_noop("missing"))


def parse_date(rows: RowErrors, line, column, value, *, required=True) -> date | None:
    if not value:
        if required:
            rows.error(line, column, gettext_noop("is empty"))
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        rows.error(
            line,
            column,
            Reason(gettext_noop("“%(value)s” is not a date like 2026-11-23"), value=value),
        )
        return None


def parse_int(rows: RowErrors, line, column, value, *, required=True) -> int | None:
    if not value:
        if required:
            rows.error(line, column, gettext_noop("is empty"))
        return None
    try:
        return int(value)
    except ValueError:
        rows.error(
            line, column, Reason(gettext_noop("“%(value)s” is not a whole number"), value=value)
        )
        return None


def by_name(model, names: set[str]) -> dict[str, object]:
    """Case-insensitive lookup of named rows (stages, sources, products, teams)."""
    if not names:
        return {}
    wanted = {name.lower() for name in names}
    return {obj.name.lower(): obj for obj in model.objects.all() if obj.name.lower() in wanted}


def may_create(by: User | None) -> bool:
    """Who may add stages, lead sources, products and teams through a file: admins and the
    operator at the command line, as on the settings pages. A manager's file may only name
    existing ones."""
    return by is None or by.role == Role.ADMIN


def named(rows, line, column, value, found, create_missing, model_label, to_create, *, by):
    """Resolve a named reference; with create_missing (admins only), remember it to
    create. `model_label` is a message id ("lead source", marked with gettext_noop)."""
    if not value:
        return None
    obj = found.get(value.lower())
    if obj is None:
        if not may_create(by):
            rows.error(
                line,
                column,
                Reason(
                    gettext_noop("unknown %(what)s “%(value)s”; only an admin can add one"),
                    what=Reason(model_label),
                    value=value,
                ),
            )
        elif create_missing:
            to_create.add(value)
            return value  # resolved after creation
        else:
            rows.error(
                line,
                column,
                Reason(
                    gettext_noop("unknown %(what)s “%(value)s” (import with --create-missing)"),
                    what=Reason(model_label),
                    value=value,
                ),
            )
    return obj


def first_time(out: RowErrors, line: int, external_id: str, seen: set) -> bool:
    """A row needs an external_id that no earlier row of the file used."""
    if not external_id:
        out.error(line, "external_id", gettext_noop("is empty"))
        return False
    if external_id in seen:
        out.error(
            line,
            "external_id",
            Reason(gettext_noop("%(id)s appears twice in the file"), id=external_id),
        )
        return False
    seen.add(external_id)
    return True


def reps_named(rows, column, by) -> dict[str, User]:
    """The reps a file names in `column`, limited to those the importer may import for."""
    return reps_by_email({canonical_email(row[column]) for _, row in rows if row.get(column)}, by)


def reps_by_email(emails: set[str], by) -> dict[str, User]:
    """These reps (canonical emails), limited to those the importer may import for."""
    reps = User.objects.filter(email__in=emails, role=Role.REP).select_related("team")
    if by is not None:
        reps = reps.filter(pk__in=reps_visible_to(by).values("pk"))
    return {rep.email: rep for rep in reps}


# Running an importer ------------------------------------------------------------


def run_import(
    kind: str,
    data: bytes | Path | CsvFile,
    *,
    by: User | None,
    dry_run: bool = False,
    create_missing: bool = False,
    progress: Progress | None = None,
    mapping: Mapping | None = None,
) -> ImportReport:
    """Import one file (its bytes, its path, or a CsvFile already opened); with a
    mapping, another tool's export (imports.mapping) whose errors name its own
    columns. `by` is the person importing (None for the command line, which has the
    organisation's scope). Nothing is written when the report has errors or on a dry
    run."""
    importer = registry.importer(kind)  # LookupError for an unknown kind
    if by is not None and by.role not in (Role.MANAGER, Role.ADMIN):
        raise PermissionDenied(gettext("Only managers and admins import files."))
    if importer.admins_only and by is not None and by.role != Role.ADMIN:
        raise PermissionDenied(gettext("Only admins import %(kind)s.") % {"kind": kind})
    report = ImportReport(kind=kind, dry_run=dry_run)
    # In English: a reason looked up as it is raised (a service's ValidationError, a file's
    # problem) is then its message id, stored and said in the reader's language when read
    # (imports.reasons, docs/i18n.md#stored-sentences).
    with translation.override("en"):
        _run(importer, kind, data, report, by, dry_run, create_missing, progress, mapping)
    return report


def _run(importer, kind, data, report, by, dry_run, create_missing, progress, mapping):
    out = RowErrors(report, progress)
    try:
        if isinstance(data, bytes):
            data = CsvFile.from_bytes(data)
        elif isinstance(data, Path):
            data = CsvFile.from_path(data)
    except UnreadableFile as error:
        out.error(1, "-", error.args[0])
        return
    report.notes = list(data.notes)
    if mapping is None:
        _check_header(kind, data.header, out)
    else:
        _check_mapping(mapping, data.header, out)
    if report.errors:
        return
    if mapping is not None:
        out.their_names = dict(mapping.columns)
    rows = Rows(data, out, mapping)
    rows.check_structure()
    if report.errors:
        return
    try:
        with transaction.atomic():
            importer.run(rows, out, by=by, create_missing=create_missing)
            if report.errors or dry_run:
                raise Rejected
    except Rejected:
        pass
    if report.errors:
        report.created = report.updated = report.unchanged = 0


def run_import_job(kind: str, path: Path, *, mapping: dict | None = None, **options):
    """run_import as an import job calls it (imports.services): the job keeps
    its mapping as JSON."""
    return run_import(
        kind, path, mapping=Mapping.from_json(mapping) if mapping else None, **options
    )
