"""Importing activities (docs/contracts.md), which come by the hundred thousand: each row is
checked with `services.check_activity`, matched against the stored rows on all its
columns (a multiset difference, so a re-import changes nothing), and the new ones are
written with COPY on PostgreSQL (bulk_create elsewhere), with their history, the daily
rollups, the prospects' new/existing tags and engagement, in the import's transaction."""

from collections import Counter
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from activities.models import Activity, Kind, Outcome, ProspectStatus, Source
from activities.rollups import rollups_apply, touches_refresh
from activities.services import check_activity, rederive_prospect_status
from activities.signals import announce_activity_changed
from imports import registry
from imports.framework import (
    BATCH_SIZE,
    RowErrors,
    messages_of,
    parse_date,
    parse_int,
    reps_named,
)
from pipeline.importers import visible_opportunity_ids, visible_prospect_ids
from pipeline.models import Opportunity, Prospect
from users.models import canonical_email

COLUMNS = (
    ["date", "rep_email", "kind", "outcome", "quantity"],
    [
        "prospect_status",
        "duration_minutes",
        "prospect_external_id",
        "opportunity_external_id",
        "notes",
    ],
)


# What makes two activity rows the same row (docs/contracts.md: all their columns).
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


def _import_activities(rows, out: RowErrors, *, by, create_missing):
    reps = reps_named(rows, "rep_email", by)
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
    visible_prospects = visible_prospect_ids(by, prospects.values())
    visible_opportunities = visible_opportunity_ids(by, opportunities.values())
    today = timezone.localdate()
    candidates = []
    for line, row in out.checking(rows):
        # Counted, not the messages kept: past MAX_ERRORS_KEPT no message is kept, and a
        # bad row must still be skipped (docs/contracts.md#csv-imports).
        errors_before = out.report.error_count
        rep = reps.get(canonical_email(row["rep_email"]))
        if rep is None:
            out.error(line, "rep_email", f"no rep {row['rep_email']} you can import for")
        day = parse_date(out, line, "date", row["date"])
        quantity = parse_int(out, line, "quantity", row["quantity"])
        duration = parse_int(
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
                for column, reason in messages_of(error):
                    out.error(line, column, reason)
        if out.report.error_count > errors_before:
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


def _write_activities(candidates: list[_NewActivity], out: RowErrors, *, by) -> None:
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


def _copy_activities(to_insert: list[_NewActivity], out: RowErrors, *, by) -> None:
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


IMPORTER = registry.Importer(
    kind="activities",
    required=COLUMNS[0],
    optional=COLUMNS[1],
    read_past=("rep_name",),  # the log's CSV names the rep for people too
    run=_import_activities,
    choices={
        "kind": tuple(Kind.values),
        "outcome": tuple(Outcome.values),
        "prospect_status": tuple(ProspectStatus.values),
    },
)
