"""CSV imports of users, prospects, opportunities and activities (DESIGN.md §8).

A file imports whole or not at all: every row is checked first and every bad row is
reported as `line N, column C: reason`; only a clean file is written, in one transaction.
Rows are matched on `external_id` (users on email, activities on all their columns), so
importing the same file twice changes nothing. The rules are the services' own: users,
prospects and opportunities go through their services row by row; activities, which come
by the hundred thousand, are checked with `services.check_activity` and written in bulk.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from activities.import_columns import COLUMNS, KINDS
from activities.import_mapping import Mapping, translate
from activities.models import Activity, ProspectStatus, Source
from activities.rollups import rollups_apply, touches_refresh
from activities.services import check_activity, rederive_prospect_status
from activities.signals import announce_activity_changed
from pipeline import services as pipeline_services
from pipeline.models import LeadSource, Opportunity, Product, Prospect, RevenueType, Stage
from pipeline.selectors import opportunities_visible_to, prospects_visible_to
from salestrack.imports.csvfile import PROGRESS_EVERY, CsvFile, UnreadableFile
from salestrack.imports.csvfile import has_control_characters as has_control
from salestrack.users import services as user_services
from salestrack.users.models import Role, Team, User, canonical_email
from salestrack.users.selectors import reps_visible_to

BATCH_SIZE = 5000


MAX_ERRORS_KEPT = 1000  # a file with a million bad rows keeps the first thousand messages


@dataclass
class ImportReport:
    kind: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)
    error_count: int = 0
    notes: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.error_count

    def summary(self) -> str:
        if self.error_count:
            return (
                f"{self.error_count} error{'s' if self.error_count != 1 else ''} in "
                f"{self.rows} rows: nothing was imported."
            )
        verb = "would be" if self.dry_run else "were"
        return (
            f"{self.rows} rows: {self.created} {verb} created, {self.updated} {verb} updated, "
            f"{self.unchanged} unchanged."
        )


class _Rejected(Exception):
    """Raised inside the write transaction so that a file with errors leaves nothing."""


Progress = Callable[[str, int, int], None]


class _Rows:
    """Collects `line N, column C: reason` messages while rows are read, and tells
    `progress(phase, done, total)` how far the import is (phases: reading, checking,
    writing)."""

    def __init__(self, report: ImportReport, progress: Progress | None = None):
        self.report = report
        self._progress = progress
        # With another tool's file, messages name its columns (their header for ours).
        self.their_names: dict[str, str] = {}

    def error(self, line: int, column: str, reason: str) -> None:
        self.report.error_count += 1
        if len(self.report.errors) < MAX_ERRORS_KEPT:
            column = self.their_names.get(column, column)
            self.report.errors.append(f"line {line}, column {column}: {reason}")

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


class _Source:
    """The file's rows as (line, {column: cell}), read from disk again on every pass (an
    importer makes a few: one per set of keys it looks up, then one to check and write).
    Rows with the wrong number of cells or a control character are reported once, by
    `check_structure`, and skipped by every later pass."""

    def __init__(self, csv_file: CsvFile, out: "_Rows", mapping: Mapping | None = None):
        self.csv_file = csv_file
        self.out = out
        self.mapping = mapping
        self.bad_lines: set[int] = set()

    def check_structure(self) -> None:
        header = self.csv_file.header
        rows = 0
        for row in self.csv_file.rows(progress=lambda n: self.out.progress("reading", n)):
            rows += 1
            if None in row.values:
                self.bad_lines.add(row.line)
                self.out.error(
                    row.line,
                    "-",
                    f"has {len(row.values[None])} cells, the header has {len(header)}",
                )
                continue
            if bad := [name for name, value in row.values.items() if has_control(value)]:
                # Caught here, before any query: PostgreSQL refuses NUL bytes outright.
                self.bad_lines.add(row.line)
                for name in bad:
                    self.out.error(
                        row.line,
                        name,
                        "contains a control character (such as a NUL byte); is the file "
                        "UTF-8 text?",
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
            self.out.error(2, "-", "there are no rows below the header; nothing to import")

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
    required, optional = COLUMNS[kind]
    return {name: row.get(name, "") for name in required + optional}


def _check_mapping(mapping: Mapping, header: list[str], out: "_Rows") -> None:
    """Another tool's file: each column of ours that is required must be filled, and each
    column of theirs the mapping reads must be in the file."""
    required, _ = COLUMNS[mapping.kind]
    for name in required:
        if name not in mapping.mapped:
            out.error(1, name, "not matched to a column of the file (or a value for every row)")
    for name in sorted(mapping.sources - set(header)):
        out.error(1, name, "not in this file; match the columns again")


def header_fits(kind: str, header: list[str]) -> bool:
    """Whether a header is one of our own files' (then any error in it is reported as
    such), or most likely another tool's export, which needs a mapping first: true when
    at least half of its columns are ours."""
    required, optional = COLUMNS[kind]
    ours = sum(name in required or name in optional for name in header)
    return bool(header) and ours * 2 >= len(header)


def _check_header(kind: str, header: list[str], out: "_Rows") -> None:
    required, optional = COLUMNS[kind]
    for name, count in Counter(header).items():
        if count > 1:
            out.error(1, name, f"appears {count} times")
    for name in header:
        if name not in required and name not in optional:
            out.error(
                1,
                name or "(empty)",
                f"unknown column; the columns are {', '.join(required + optional)}",
            )
    for name in required:
        if name not in header:
            out.error(1, name, "missing")


def _date(rows: _Rows, line, column, value, *, required=True) -> date | None:
    if not value:
        if required:
            rows.error(line, column, "is empty")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        rows.error(line, column, f"“{value}” is not a date like 2026-11-23")
        return None


def _int(rows: _Rows, line, column, value, *, required=True) -> int | None:
    if not value:
        if required:
            rows.error(line, column, "is empty")
        return None
    try:
        return int(value)
    except ValueError:
        rows.error(line, column, f"“{value}” is not a whole number")
        return None


def _by_name(model, names: set[str]) -> dict[str, object]:
    """Case-insensitive lookup of named rows (stages, sources, products, teams)."""
    if not names:
        return {}
    wanted = {name.lower() for name in names}
    return {obj.name.lower(): obj for obj in model.objects.all() if obj.name.lower() in wanted}


def _may_create(by: User | None) -> bool:
    """Who may add stages, lead sources, products and teams through a file: admins and the
    operator at the command line, as on the settings pages. A manager's file may only name
    existing ones."""
    return by is None or by.role == Role.ADMIN


def _named(rows, line, column, value, found, create_missing, model_label, to_create, *, by):
    """Resolve a named reference; with create_missing (admins only), remember it to
    create."""
    if not value:
        return None
    obj = found.get(value.lower())
    if obj is None:
        if not _may_create(by):
            rows.error(line, column, f"unknown {model_label} “{value}”; only an admin can add one")
        elif create_missing:
            to_create.add(value)
            return value  # resolved after creation
        else:
            rows.error(
                line, column, f"unknown {model_label} “{value}” (import with --create-missing)"
            )
    return obj


def _first_time(out: _Rows, line: int, external_id: str, seen: set) -> bool:
    """A row needs an external_id that no earlier row of the file used."""
    if not external_id:
        out.error(line, "external_id", "is empty")
        return False
    if external_id in seen:
        out.error(line, "external_id", f"{external_id} appears twice in the file")
        return False
    seen.add(external_id)
    return True


def _message(error: ValidationError) -> list[tuple[str, str]]:
    if hasattr(error, "error_dict"):
        return [(name, " ".join(messages)) for name, messages in error.message_dict.items()]
    return [("-", " ".join(error.messages))]


# The importers ----------------------------------------------------------------------------


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
    mapping, another tool's export (activities.import_mapping) whose errors name its own
    columns. `by` is the
    person importing (None for the command line, which has the organisation's scope).
    Nothing is written when the report has errors or on a dry run."""
    if kind not in KINDS:
        raise ValueError(f"unknown import kind {kind!r}")
    if by is not None and by.role not in (Role.MANAGER, Role.ADMIN):
        raise PermissionDenied("Only managers and admins import files.")
    if kind == "users" and by is not None and by.role != Role.ADMIN:
        raise PermissionDenied("Only admins import users.")
    report = ImportReport(kind=kind, dry_run=dry_run)
    out = _Rows(report, progress)
    try:
        if isinstance(data, bytes):
            data = CsvFile.from_bytes(data)
        elif isinstance(data, Path):
            data = CsvFile.from_path(data)
    except UnreadableFile as error:
        out.error(1, "-", str(error))
        return report
    report.notes = list(data.notes)
    if mapping is None:
        _check_header(kind, data.header, out)
    else:
        _check_mapping(mapping, data.header, out)
    if report.errors:
        return report
    if mapping is not None:
        out.their_names = dict(mapping.columns)
    rows = _Source(data, out, mapping)
    rows.check_structure()
    if report.errors:
        return report
    importer = {
        "users": _import_users,
        "prospects": _import_prospects,
        "opportunities": _import_opportunities,
        "activities": _import_activities,
    }[kind]
    try:
        with transaction.atomic():
            importer(rows, out, by=by, create_missing=create_missing)
            if report.errors or dry_run:
                raise _Rejected
    except _Rejected:
        pass
    if report.errors:
        report.created = report.updated = report.unchanged = 0
    return report


def run_import_job(kind: str, path: Path, *, mapping: dict | None = None, **options):
    """run_import as an import job calls it (salestrack.imports.registry): the job keeps
    its mapping as JSON."""
    return run_import(
        kind, path, mapping=Mapping.from_json(mapping) if mapping else None, **options
    )


def _import_users(rows, out: _Rows, *, by, create_missing):
    teams = _by_name(Team, {row["team"] for _, row in rows if row["team"]})
    existing = {
        u.email: u
        for u in User.objects.filter(email__in=[canonical_email(r["email"]) for _, r in rows])
    }
    seen = set()
    for line, row in out.checking(rows):
        email = canonical_email(row["email"])
        if email in seen:
            out.error(line, "email", f"{email} appears twice in the file")
            continue
        seen.add(email)
        if row["role"] not in Role.values:
            out.error(line, "role", f"“{row['role']}” is not one of rep, manager, admin")
            continue
        team = None
        if row["team"]:
            team = teams.get(row["team"].lower())
            if team is None:
                if not create_missing:
                    out.error(line, "team", f"unknown team “{row['team']}” (use --create-missing)")
                    continue
                team = user_services.team_create(by=by, name=row["team"])
                teams[team.name.lower()] = team
        joined_on = _date(out, line, "joined_on", row.get("joined_on", ""), required=False)
        fields = {
            "email": email,
            "full_name": row["full_name"],
            "role": row["role"],
            "team": team if row["role"] == Role.REP else None,
            "joined_on": joined_on or timezone.localdate(),
        }
        user = existing.get(email)
        try:
            if user is None:
                user = user_services.user_create(by=by, **fields)
                out.report.created += 1
            else:
                if not row.get("joined_on"):
                    fields.pop("joined_on")  # an empty cell keeps what is stored
                changed = any(getattr(user, name) != value for name, value in fields.items())
                if changed:
                    user_services.user_update(by=by, user=user, **fields)
                    out.report.updated += 1
                else:
                    out.report.unchanged += 1
            if row["role"] == Role.MANAGER and team is not None:
                team.managers.add(user)
        except ValidationError as error:
            for column, reason in _message(error):
                out.error(line, column, reason)


def _import_prospects(rows, out: _Rows, *, by, create_missing):
    owners = _people(rows, "owner_email", by)
    sources = _by_name(LeadSource, {r["lead_source"] for _, r in rows if r.get("lead_source")})
    new_sources: set[str] = set()
    existing = Prospect.objects.select_related("owner").in_bulk(
        [r["external_id"] for _, r in rows], field_name="external_id"
    )
    visible = _visible_prospect_ids(by, existing.values())
    parsed = []
    seen = set()
    for line, row in out.checking(rows):
        if not _first_time(out, line, row["external_id"], seen):
            continue
        owner = owners.get(canonical_email(row["owner_email"]))
        if owner is None:
            out.error(line, "owner_email", f"no rep {row['owner_email']} you can import for")
            continue
        if not owner.is_active:
            out.error(line, "owner_email", f"{owner} is deactivated")
            continue
        known = existing.get(row["external_id"])
        if known is not None and known.pk not in visible:
            # External ids are unique across the organisation, so this one cannot be used;
            # say so without saying whose it is or what it names.
            out.error(line, "external_id", f"{row['external_id']} is not available; use another")
            continue
        source = _named(
            out,
            line,
            "lead_source",
            row.get("lead_source", ""),
            sources,
            create_missing,
            "lead source",
            new_sources,
            by=by,
        )
        created_on = _date(out, line, "created_on", row.get("created_on", ""), required=False)
        prospect = Prospect(
            owner=owner,
            name=row["name"],
            company=row.get("company", ""),
            email=row.get("email", "").lower(),
            phone=row.get("phone", ""),
            source=source if isinstance(source, LeadSource) else None,
            external_id=row["external_id"],
        )
        prospect.created_on = created_on or (known.created_on if known else timezone.localdate())
        try:
            # The model's own field rules, as the services apply them; the owner, the
            # source and the unique external_id were settled above in a few queries.
            prospect.clean_fields(exclude=["owner", "source"])
        except ValidationError as error:
            for column, reason in _message(error):
                out.error(line, column, reason)
            continue
        parsed.append((prospect, source, known))
    if out.report.errors:
        return
    for name in new_sources:
        sources[name.lower()] = pipeline_services.lead_source_save(by=by, name=name)
    _write_prospects(parsed, sources, out)


PROSPECT_FIELDS = ["owner", "name", "company", "email", "phone", "source", "created_on"]


def _write_prospects(parsed, sources, out: _Rows) -> None:
    """New prospects in batches of BATCH_SIZE, changed ones in one bulk UPDATE per batch."""
    to_create, to_update = [], []
    for prospect, source, known in parsed:
        if isinstance(source, str):
            prospect.source = sources[source.lower()]
        if known is None:
            to_create.append(prospect)
        elif any(
            getattr(known, f"{name}_id" if name in ("owner", "source") else name)
            != getattr(prospect, f"{name}_id" if name in ("owner", "source") else name)
            for name in PROSPECT_FIELDS
        ):
            for name in PROSPECT_FIELDS:
                setattr(known, name, getattr(prospect, name))
            to_update.append(known)
        else:
            out.report.unchanged += 1
    out.report.created, out.report.updated = len(to_create), len(to_update)
    if out.report.dry_run:
        return
    written = 0
    for start in range(0, len(to_create), BATCH_SIZE):
        batch = to_create[start : start + BATCH_SIZE]
        Prospect.objects.bulk_create(batch)
        written += len(batch)
        out.progress("writing", written)
    for start in range(0, len(to_update), BATCH_SIZE):
        batch = to_update[start : start + BATCH_SIZE]
        Prospect.objects.bulk_update(batch, PROSPECT_FIELDS)
        written += len(batch)
        out.progress("writing", written)


def _visible_prospect_ids(by, prospects) -> set[int]:
    """Which of these prospects the importer may use: all for the command line, their
    teams' for a manager."""
    ids = {p.pk for p in prospects}
    if by is None:
        return ids
    return set(prospects_visible_to(by).filter(pk__in=ids).values_list("pk", flat=True))


def _visible_opportunity_ids(by, opportunities) -> set[int]:
    ids = {o.pk for o in opportunities}
    if by is None:
        return ids
    return set(opportunities_visible_to(by).filter(pk__in=ids).values_list("pk", flat=True))


def _people(rows, column, by) -> dict[str, User]:
    """The reps a file names in `column`, limited to those the importer may import for."""
    emails = {canonical_email(row[column]) for _, row in rows if row.get(column)}
    reps = User.objects.filter(email__in=emails, role=Role.REP).select_related("team")
    if by is not None:
        reps = reps.filter(pk__in=reps_visible_to(by).values("pk"))
    return {rep.email: rep for rep in reps}


@dataclass(frozen=True)
class _OpportunityRow:
    """One checked row of an opportunities file. Stage, source and product are a model,
    or the name of one to create with --create-missing."""

    line: int
    row: dict
    owner: User | None
    prospect: Prospect | None
    amount: Decimal | None
    stage: Stage | str | None
    source: LeadSource | str | None
    product: Product | str | None
    opened_on: date | None
    expected_close_on: date | None
    closed_on: date | None


def _import_opportunities(rows, out: _Rows, *, by, create_missing):
    owners = _people(rows, "owner_email", by)
    prospects = Prospect.objects.select_related("owner").in_bulk(
        [r["prospect_external_id"] for _, r in rows], field_name="external_id"
    )
    visible = _visible_prospect_ids(by, prospects.values())
    stages = _by_name(Stage, {r["stage"] for _, r in rows})
    sources = _by_name(LeadSource, {r["lead_source"] for _, r in rows if r.get("lead_source")})
    products = _by_name(Product, {r["product"] for _, r in rows if r.get("product")})
    new_sources, new_products, new_stages = set(), set(), set()
    existing = Opportunity.objects.select_related("stage").in_bulk(
        [r["external_id"] for _, r in rows], field_name="external_id"
    )
    parsed, seen = [], set()
    for line, row in out.checking(rows):
        if not _first_time(out, line, row["external_id"], seen):
            continue
        owner = owners.get(canonical_email(row["owner_email"]))
        if owner is None:
            out.error(line, "owner_email", f"no rep {row['owner_email']} you can import for")
        prospect = prospects.get(row["prospect_external_id"])
        if prospect is None or prospect.pk not in visible:
            out.error(line, "prospect_external_id", f"no prospect {row['prospect_external_id']}")
            prospect = None
        try:
            amount = Decimal(row["amount"])
            if not amount.is_finite() or amount < 0:
                raise InvalidOperation
        except InvalidOperation:
            out.error(line, "amount", f"“{row['amount']}” is not an amount like 25000.00 (≥ 0)")
            amount = None
        if row["revenue_type"] not in RevenueType.values:
            out.error(
                line,
                "revenue_type",
                f"“{row['revenue_type']}” is not one of " + ", ".join(RevenueType.values),
            )
        stage = _named(
            out, line, "stage", row["stage"], stages, create_missing, "stage", new_stages, by=by
        )
        if not row["stage"]:
            out.error(line, "stage", "is empty")
        source = _named(
            out,
            line,
            "lead_source",
            row.get("lead_source", ""),
            sources,
            create_missing,
            "lead source",
            new_sources,
            by=by,
        )
        product = _named(
            out,
            line,
            "product",
            row.get("product", ""),
            products,
            create_missing,
            "product",
            new_products,
            by=by,
        )
        opened_on = _date(out, line, "opened_on", row["opened_on"])
        expected = _date(
            out, line, "expected_close_on", row.get("expected_close_on", ""), required=False
        )
        closed_on = _date(out, line, "closed_on", row.get("closed_on", ""), required=False)
        parsed.append(
            _OpportunityRow(
                line,
                row,
                owner,
                prospect,
                amount,
                stage,
                source,
                product,
                opened_on,
                expected,
                closed_on,
            )
        )
    if out.report.errors:
        return
    for name in new_sources:
        sources[name.lower()] = pipeline_services.lead_source_save(by=by, name=name)
    for name in new_products:
        products[name.lower()] = pipeline_services.product_save(by=by, name=name)
    if new_stages:
        last = Stage.objects.order_by("-order").values_list("order", flat=True).first() or 0
        for offset, name in enumerate(sorted(new_stages), start=1):
            stages[name.lower()] = pipeline_services.stage_save(
                by=by, name=name, order=last + offset * 10, probability=50
            )
    lost_reason = "Imported as lost"
    new = []  # opened in bulk below; changed ones go through the services one by one
    for item in parsed:
        line, row, closed_on = item.line, item.row, item.closed_on
        # Names of stages, sources and products created above are resolved now.
        stage = stages[item.stage.lower()] if isinstance(item.stage, str) else item.stage
        source = sources[item.source.lower()] if isinstance(item.source, str) else item.source
        product = products[item.product.lower()] if isinstance(item.product, str) else item.product
        if closed_on and not stage.is_closed:
            out.error(line, "closed_on", f"only won or lost opportunities close; “{stage}” is open")
            continue
        if stage.is_closed and not closed_on:
            out.error(line, "closed_on", f"is empty; a {stage} opportunity needs its close date")
            continue
        fields = {
            "owner": item.owner,
            "prospect": item.prospect,
            "name": row["name"],
            "amount": item.amount,
            "revenue_type": row["revenue_type"],
            "product": product,
            "lead_source": source or item.prospect.source,
            "opened_on": item.opened_on,
            "expected_close_on": item.expected_close_on,
        }
        opportunity = existing.get(row["external_id"])
        try:
            if opportunity is None:
                if not item.owner.is_active:
                    raise ValidationError({"owner_email": f"{item.owner} is deactivated."})
                new.append(
                    pipeline_services.opportunity_build(
                        stage=stage,
                        closed_on=closed_on,
                        lost_reason=lost_reason,
                        external_id=row["external_id"],
                        **fields,
                    )
                )
                continue
            changed = any(getattr(opportunity, k) != v for k, v in fields.items())
            moved = opportunity.stage_id != stage.pk or opportunity.closed_on != closed_on
            if changed:
                pipeline_services.opportunity_update(by=by, opportunity=opportunity, **fields)
            if moved:
                if opportunity.stage_id == stage.pk:  # same stage, new close date
                    pipeline_services.opportunity_update(
                        by=by, opportunity=opportunity, closed_on=closed_on
                    )
                else:
                    pipeline_services.opportunity_move(
                        by=by,
                        opportunity=opportunity,
                        stage=stage,
                        closed_on=closed_on,
                        lost_reason=opportunity.lost_reason or lost_reason,
                    )
            if changed or moved:
                out.report.updated += 1
            else:
                out.report.unchanged += 1
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, PermissionDenied):
                out.error(line, "owner_email", str(error))
            else:
                for column, reason in _message(error):
                    out.error(line, column, reason)
    out.report.created = len(new)
    if new and not out.report.errors and not out.report.dry_run:
        pipeline_services.opportunities_bulk_open(by=by, opportunities=new)
        out.progress("writing", len(new))


# What makes two activity rows the same row (DESIGN.md §8: all their columns).
SIGNATURE = (
    "date",
    "rep_id",
    "kind",
    "outcome",
    "prospect_status",
    "quantity",
    "duration_minutes",
    "prospect_id",
    "opportunity_id",
    "notes",
)


@dataclass(slots=True)
class _NewActivity:
    """One checked row of an activities file: a few hundred bytes where an Activity
    instance takes kilobytes, for files of a hundred thousand rows. Has the fields the
    rollups read (activities.rollups.rollups_apply)."""

    date: date
    rep_id: int
    kind: str
    outcome: str
    prospect_status: str
    quantity: int
    duration_minutes: int | None
    prospect_id: int | None
    opportunity_id: int | None
    notes: str
    source: str = Source.IMPORT
    follow_up_on: None = None

    def signature(self) -> tuple:
        return tuple(getattr(self, name) for name in SIGNATURE)


def _import_activities(rows, out: _Rows, *, by, create_missing):
    reps = _people(rows, "rep_email", by)
    prospects = {
        p.external_id: p
        for p in Prospect.objects.filter(
            external_id__in={
                r["prospect_external_id"] for _, r in rows if r.get("prospect_external_id")
            }
        ).select_related("owner")
    }
    opportunities = {
        o.external_id: o
        for o in Opportunity.objects.filter(
            external_id__in={
                r["opportunity_external_id"] for _, r in rows if r.get("opportunity_external_id")
            }
        )
    }
    # An id the importer may not see reads exactly like an id that does not exist.
    visible_prospects = _visible_prospect_ids(by, prospects.values())
    visible_opportunities = _visible_opportunity_ids(by, opportunities.values())
    today = timezone.localdate()
    candidates = []
    for line, row in out.checking(rows):
        errors_before = len(out.report.errors)
        rep = reps.get(canonical_email(row["rep_email"]))
        if rep is None:
            out.error(line, "rep_email", f"no rep {row['rep_email']} you can import for")
        day = _date(out, line, "date", row["date"])
        quantity = _int(out, line, "quantity", row["quantity"])
        duration = _int(
            out, line, "duration_minutes", row.get("duration_minutes", ""), required=False
        )
        prospect = opportunity = None
        if ref := row.get("prospect_external_id"):
            prospect = prospects.get(ref)
            if prospect is None or prospect.pk not in visible_prospects:
                prospect = None
                out.error(line, "prospect_external_id", f"no prospect {ref}")
            elif rep is not None and prospect.owner.team_id != rep.team_id:
                out.error(line, "prospect_external_id", f"{ref} is not a prospect of {rep}'s team")
        if ref := row.get("opportunity_external_id"):
            opportunity = opportunities.get(ref)
            if opportunity is None or opportunity.pk not in visible_opportunities:
                opportunity = None
                out.error(line, "opportunity_external_id", f"no opportunity {ref}")
            elif rep is not None and opportunity.owner_id != rep.pk:
                out.error(line, "opportunity_external_id", f"{ref} is not {rep}'s opportunity")
            elif prospect is not None and opportunity.prospect_id != prospect.pk:
                out.error(line, "opportunity_external_id", f"{ref} belongs to another prospect")
        status = row.get("prospect_status", "")
        if prospect is None and opportunity is None and status not in ProspectStatus.values:
            out.error(line, "prospect_status", "is new or existing when no prospect is given")
        if rep is not None and day is not None and quantity is not None:
            try:
                check_activity(
                    rep=rep,
                    date=day,
                    kind=row["kind"],
                    outcome=row["outcome"],
                    quantity=quantity,
                    duration_minutes=duration,
                    today=today,
                )
            except ValidationError as error:
                for column, reason in _message(error):
                    out.error(line, column, reason)
        if len(out.report.errors) > errors_before:
            continue
        prospect_id = (
            prospect.pk if prospect else (opportunity.prospect_id if opportunity else None)
        )
        candidates.append(
            _NewActivity(
                date=day,
                rep_id=rep.pk,
                kind=row["kind"],
                outcome=row["outcome"],
                # With a prospect the status is derived (below, for all rows at once).
                prospect_status=status if prospect_id is None else ProspectStatus.NEW,
                quantity=quantity,
                duration_minutes=duration,
                prospect_id=prospect_id,
                opportunity_id=opportunity.pk if opportunity else None,
                notes=row.get("notes", ""),
            )
        )
    if out.report.errors or not candidates:
        return
    _write_activities(candidates, out, by=by)


def _write_activities(candidates: list[_NewActivity], out: _Rows, *, by) -> None:
    """Insert the rows not yet stored (a multiset difference on all columns), then derive
    new/existing for every prospect touched, in one UPDATE."""
    dates = [c.date for c in candidates]
    stored = Counter(
        Activity.objects.filter(
            rep_id__in={c.rep_id for c in candidates},
            date__gte=min(dates),
            date__lte=max(dates),
        ).values_list(*SIGNATURE)
    )
    to_insert = []
    for candidate in candidates:
        key = candidate.signature()
        # Rows with a prospect are matched whatever their derived status.
        alternatives = [key]
        if candidate.prospect_id:
            alternatives.append((*key[:4], ProspectStatus.EXISTING, *key[5:]))
        match = next((k for k in alternatives if stored[k] > 0), None)
        if match is not None:
            stored[match] -= 1
            out.report.unchanged += 1
        else:
            to_insert.append(candidate)
    del stored, candidates
    if not to_insert:
        return
    if out.report.dry_run:
        out.report.created = len(to_insert)
        return
    if connection.vendor == "postgresql":
        _copy_activities(to_insert, out, by=by)
    else:
        for start in range(0, len(to_insert), BATCH_SIZE):
            batch = [
                Activity(**{name: getattr(row, name) for name in COPIED})
                for row in to_insert[start : start + BATCH_SIZE]
            ]
            bulk_create_with_history(batch, Activity, batch_size=BATCH_SIZE, default_user=by)
            out.progress("writing", start + len(batch))
    rollups_apply((+1, row) for row in to_insert)
    announce_activity_changed((a.rep_id, a.date) for a in to_insert)
    touched = {a.prospect_id for a in to_insert if a.prospect_id}
    if touched:
        rederive_prospect_status(touched)
    touches_refresh(prospect_ids=touched, opportunity_ids={a.opportunity_id for a in to_insert})
    out.report.created = len(to_insert)


# The columns an imported activity sets; the others (follow-ups) keep their defaults.
COPIED = [
    "date",
    "rep_id",
    "kind",
    "outcome",
    "prospect_status",
    "quantity",
    "duration_minutes",
    "prospect_id",
    "opportunity_id",
    "notes",
    "source",
]


def _copy_activities(to_insert: list[_NewActivity], out: _Rows, *, by) -> None:
    """On PostgreSQL, write the rows and their history rows (what bulk_create_with_history
    writes) with COPY: building a 100,000-row INSERT in Python took longer than the rest of
    the import. The ids are drawn from the table's sequence first, so each history row
    names its activity."""
    now = timezone.now()
    table = Activity._meta.db_table
    history = Activity.history.model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [table, len(to_insert)],
        )
        ids = [pk for (pk,) in cursor.fetchall()]
        raw = cursor.cursor
        columns = ["id", *COPIED, "created_at", "updated_at"]
        with raw.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for written, (pk, row) in enumerate(zip(ids, to_insert, strict=True), start=1):
                copy.write_row([pk, *(getattr(row, name) for name in COPIED), now, now])
                if written % BATCH_SIZE == 0:
                    out.progress("writing", written)
        extra = ["history_date", "history_type", "history_user_id"]
        user_id = by.pk if by is not None else None
        with raw.copy(f"COPY {history} ({', '.join(columns + extra)}) FROM STDIN") as copy:
            for pk, row in zip(ids, to_insert, strict=True):
                copy.write_row(
                    [pk, *(getattr(row, name) for name in COPIED), now, now, now, "+", user_id]
                )
    out.progress("writing", len(to_insert))
