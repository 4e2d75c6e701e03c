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
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from activities.models import Activity, Kind, Outcome, ProspectStatus, Source
from activities.rollups import rollups_apply, rollups_apply_select, touches_refresh
from activities.services import check_activity, rederive_prospect_status
from activities.signals import announce_activity_changed
from core.reasons import Reason
from imports import registry
from imports.framework import (
    BATCH_SIZE,
    RowErrors,
    parse_date,
    parse_int,
    reps_by_email,
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


NEW = ProspectStatus.NEW.value
# PostgreSQL writes a file set-based (`_write_staged`); False takes the row-by-row path
# there too, which tests/activities/test_import_staged.py holds the set-based one to.
SET_BASED = True

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
    # One pass for every key the file names, then one query per set of keys.
    emails, prospect_refs, opportunity_refs = set(), set(), set()
    for _, row in rows:
        emails.add(row["rep_email"])
        prospect_refs.add(row.get("prospect_external_id"))
        opportunity_refs.add(row.get("opportunity_external_id"))
    reps = reps_by_email({canonical_email(email) for email in emails if email}, by)
    prospect_refs.discard(None)
    prospect_refs.discard("")
    opportunity_refs.discard(None)
    opportunity_refs.discard("")
    prospects = {
        p.external_id: p
        for p in Prospect.objects.filter(external_id__in=prospect_refs).select_related("owner")
    }
    opportunities = {
        o.external_id: o for o in Opportunity.objects.filter(external_id__in=opportunity_refs)
    }
    # An id the importer may not see reads exactly like an id that does not exist.
    visible_prospects = visible_prospect_ids(by, prospects.values())
    visible_opportunities = visible_opportunity_ids(by, opportunities.values())
    rep_of_email = {email: reps.get(canonical_email(email)) for email in emails}
    statuses = frozenset(ProspectStatus.values)
    today = timezone.localdate()
    candidates: list[tuple] = []  # in SIGNATURE's order
    for line, row in out.checking(rows):
        # Counted, not the messages kept: past MAX_ERRORS_KEPT no message is kept, and a
        # bad row must still be skipped (docs/contracts.md#csv-imports).
        errors_before = out.report.error_count
        rep = rep_of_email[row["rep_email"]]
        if rep is None:
            out.error(
                line,
                "rep_email",
                Reason(gettext_noop("no rep %(email)s you can import for"), email=row["rep_email"]),
            )
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
                out.error(
                    line, "prospect_external_id", Reason(gettext_noop("no prospect %(id)s"), id=ref)
                )
            elif rep is not None and prospect.owner.team_id != rep.team_id:
                out.error(
                    line,
                    "prospect_external_id",
                    Reason(
                        gettext_noop("%(id)s is not a prospect of %(rep)s's team"), id=ref, rep=rep
                    ),
                )
        if ref := row.get("opportunity_external_id"):
            opportunity = opportunities.get(ref)
            if opportunity is None or opportunity.pk not in visible_opportunities:
                opportunity = None
                out.error(
                    line,
                    "opportunity_external_id",
                    Reason(gettext_noop("no opportunity %(id)s"), id=ref),
                )
            elif rep is not None and opportunity.owner_id != rep.pk:
                out.error(
                    line,
                    "opportunity_external_id",
                    Reason(gettext_noop("%(id)s is not %(rep)s's opportunity"), id=ref, rep=rep),
                )
            elif prospect is not None and opportunity.prospect_id != prospect.pk:
                out.error(
                    line,
                    "opportunity_external_id",
                    Reason(gettext_noop("%(id)s belongs to another prospect"), id=ref),
                )
        status = row.get("prospect_status", "")
        if prospect is None and opportunity is None and status not in statuses:
            out.error(
                line,
                "prospect_status",
                gettext_noop("is new or existing when no prospect is given"),
            )
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
                out.invalid(line, error)
        if out.report.error_count > errors_before:
            continue
        prospect_id = (
            prospect.pk if prospect else (opportunity.prospect_id if opportunity else None)
        )
        candidates.append(
            (
                day,
                rep.pk,
                row["kind"],
                row["outcome"],
                # With a prospect the status is derived (below, for all rows at once).
                status if prospect_id is None else NEW,
                quantity,
                duration,
                prospect_id,
                opportunity.pk if opportunity else None,
                row.get("notes", ""),
            )
        )
    if out.report.errors or not candidates:
        return
    if connection.vendor == "postgresql" and SET_BASED:
        _write_staged(candidates, out, by=by)
    else:
        _write_activities([_NewActivity(*row) for row in candidates], out, by=by)


def _write_activities(candidates: list[_NewActivity], out: RowErrors, *, by) -> None:
    """Away from PostgreSQL (`_write_staged` there writes the same rows): insert the rows
    not yet stored (a multiset difference on all columns), then derive
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


# The staged rows of one import (PostgreSQL): temporary tables of the import's
# transaction, dropped when it ends (docs/operations.md#import-jobs).
STAGE, RETAGGED = "import_activity_stage", "import_activity_retag"
STAGE_COLUMNS = (
    "id bigint, n integer, date date, rep_id bigint, kind varchar(16), outcome varchar(32), "
    "prospect_status varchar(16), quantity integer, duration_minutes integer, "
    "prospect_id bigint, opportunity_id bigint, notes text, fresh boolean NOT NULL DEFAULT true"
)
# What the measures and the derived counts read of a written row.
MOVED = "rep_id, date, kind, outcome, prospect_status, quantity, duration_minutes, follow_up_on"
RETAGGED_COLUMNS = (
    "id bigint, rep_id bigint, date date, kind varchar(16), outcome varchar(32), "
    "prospect_status varchar(16), quantity integer, duration_minutes integer, "
    "follow_up_on date, prospect_id bigint, opportunity_id bigint"
)
# Two rows are the same on all their columns; a row with a prospect whatever its derived
# tag (the multiset difference of `_write_activities`, in SQL). NULLs compare equal.
MATCH_KEY = (
    "date, rep_id, kind, outcome, "
    "CASE WHEN prospect_id IS NULL THEN prospect_status ELSE '' END AS status, quantity, "
    "COALESCE(duration_minutes, -1) AS duration, COALESCE(prospect_id, 0) AS prospect, "
    "COALESCE(opportunity_id, 0) AS opportunity, notes"
)
MATCH_NAMES = (
    "date, rep_id, kind, outcome, status, quantity, duration, prospect, opportunity, notes"
)


def _write_staged(candidates: list[tuple], out: RowErrors, *, by) -> None:
    """On PostgreSQL, set-based: COPY the checked rows into a staging table, mark the ones
    already stored (one GROUP BY of the stored rows on the staged reps' days), COPY the new
    rows and their history rows, re-derive new/existing for the prospects they touch in one
    UPDATE, and move the rollups by one GROUP BY over what was written and re-tagged.
    Writes exactly what `_write_activities` writes (tests/activities/test_import_staged.py)."""
    table = Activity._meta.db_table
    with connection.cursor() as cursor:
        for name in (STAGE, RETAGGED):
            cursor.execute(f"DROP TABLE IF EXISTS {name}")
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE} ({STAGE_COLUMNS}) ON COMMIT DROP")
        # The ids are drawn first, in the file's order (new/existing breaks a tie on the day
        # by id), so that the rows go from the staging table to the activity table in one
        # INSERT … SELECT and each history row names its activity; a dry run draws none.
        ids = [None] * len(candidates)
        if not out.report.dry_run:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, len(candidates)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        names = f"id, n, {', '.join(SIGNATURE)}"
        with cursor.cursor.copy(f"COPY {STAGE} ({names}) FROM STDIN") as copy:
            for n, (pk, row) in enumerate(zip(ids, candidates, strict=True), start=1):
                copy.write_row((pk, n, *row))
        cursor.execute(f"ANALYZE {STAGE}")
        # The sorts below hold the staged rows (about 10 MB for 100,000): in memory.
        cursor.execute("SET LOCAL work_mem = '64MB'")
        cursor.execute(f"SELECT min(date), max(date), array_agg(DISTINCT rep_id) FROM {STAGE}")
        first, last, rep_ids = cursor.fetchone()
        # The rows already stored, as a multiset: the k-th staged copy of a row is new when
        # fewer than k copies are stored.
        cursor.execute(
            f"""
            WITH stored AS (
                SELECT {MATCH_KEY}, count(*) AS copies FROM {table}
                WHERE date BETWEEN %s AND %s AND rep_id = ANY(%s)
                    AND (rep_id, date) IN (SELECT DISTINCT rep_id, date FROM {STAGE})
                GROUP BY {MATCH_NAMES}
            ), ranked AS (
                SELECT n, {MATCH_KEY} FROM {STAGE}
            ), numbered AS (
                SELECT n, {MATCH_NAMES},
                    row_number() OVER (PARTITION BY {MATCH_NAMES} ORDER BY n) AS k
                FROM ranked
            )
            UPDATE {STAGE} SET fresh = false
            FROM numbered JOIN stored USING ({MATCH_NAMES})
            WHERE {STAGE}.n = numbered.n AND numbered.k <= stored.copies
            """,
            [first, last, rep_ids],
        )
        out.report.unchanged = cursor.rowcount
        cursor.execute(f"SELECT count(*) FROM {STAGE} WHERE fresh")
        (created,) = cursor.fetchone()
        if not created:
            return
        if out.report.dry_run:
            out.report.created = created
            return
        cursor.execute(
            f"SELECT DISTINCT prospect_id FROM {STAGE} WHERE fresh AND prospect_id IS NOT NULL"
        )
        touched = sorted(pk for (pk,) in cursor.fetchall())
        if touched:
            _derive_staged(cursor)
        cursor.execute(f"SELECT n FROM {STAGE} WHERE NOT fresh")
        stale = {n for (n,) in cursor.fetchall()}
        _write_rows(
            cursor,
            (
                (pk, row)
                for n, (pk, row) in enumerate(zip(ids, candidates, strict=True), start=1)
                if n not in stale
            ),
            created,
            out,
            by=by,
        )
        del candidates, ids
        cursor.execute(f"CREATE TEMPORARY TABLE {RETAGGED} ({RETAGGED_COLUMNS}) ON COMMIT DROP")
        fresh = (
            "SELECT rep_id, date, kind, outcome, prospect_status, quantity, duration_minutes, "
            f"NULL::date AS follow_up_on FROM {STAGE} WHERE fresh"
        )
        if touched:
            _rederive_stored(cursor, touched)
        rollups_apply_select(
            f"""
            SELECT 1 AS sign, {MOVED} FROM ({fresh}) AS written
            UNION ALL
            SELECT -1, rep_id, date, kind, outcome,
                CASE WHEN prospect_status = %s THEN %s ELSE %s END,
                quantity, duration_minutes, follow_up_on
            FROM {RETAGGED}
            UNION ALL
            SELECT 1, {MOVED} FROM {RETAGGED}
            """,
            [ProspectStatus.NEW, ProspectStatus.EXISTING, ProspectStatus.NEW],
        )
        cursor.execute(f"SELECT rep_id, min(date) FROM {STAGE} WHERE fresh GROUP BY rep_id")
        announce_activity_changed(cursor.fetchall())
        cursor.execute(
            f"SELECT DISTINCT opportunity_id FROM {STAGE} "
            "WHERE fresh AND opportunity_id IS NOT NULL"
        )
        opportunity_ids = {pk for (pk,) in cursor.fetchall()}
        for name in (STAGE, RETAGGED):
            cursor.execute(f"DROP TABLE {name}")
    touches_refresh(prospect_ids=touched, opportunity_ids=opportunity_ids)
    out.report.created = created


def _write_rows(cursor, rows, count: int, out: RowErrors, *, by) -> None:
    """Write the staged rows still fresh, with their derived tags, by one INSERT … SELECT,
    then COPY their history rows — `rows`: (id, a tuple in SIGNATURE's order), what
    bulk_create_with_history writes. A history row keeps the tag the row had before its
    prospect's tags were derived, as `_write_activities` writes it."""
    now = timezone.now()
    table = Activity._meta.db_table
    history = Activity.history.model._meta.db_table
    columns = ["id", *COPIED, "created_at", "updated_at"]
    out.progress("writing", 0)
    cursor.execute(
        f"INSERT INTO {table} ({', '.join(columns)}) "
        f"SELECT id, {', '.join(SIGNATURE)}, %s, %s, %s FROM {STAGE} WHERE fresh ORDER BY n",
        [Source.IMPORT, now, now],
    )
    out.progress("writing", count // 2)
    extra = ["history_date", "history_type", "history_user_id"]
    tail = (Source.IMPORT, now, now, now, "+", by.pk if by is not None else None)
    with cursor.cursor.copy(f"COPY {history} ({', '.join(columns + extra)}) FROM STDIN") as copy:
        for pk, row in rows:
            copy.write_row((pk, *row, *tail))
    out.progress("writing", count)


def _derive_staged(cursor) -> None:
    """New/existing for the staged rows with a prospect, before they are written: a
    prospect's earliest activity (by date, then id) is new, the others existing. The new
    rows' ids will come after every stored row's, in the file's order, so a staged row is
    the earliest when it is its prospect's first staged row (by date, then line) and
    earlier than every stored row of the prospect. The prospects are locked first, in id
    order, as `services._lock_prospects` does (docs/operations.md#concurrent-writes)."""
    prospects = Prospect._meta.db_table
    table = Activity._meta.db_table
    cursor.execute(
        f"SELECT id FROM {prospects} WHERE id IN "
        f"(SELECT prospect_id FROM {STAGE} WHERE fresh) ORDER BY id FOR UPDATE"
    )
    cursor.execute(
        f"""
        WITH stored AS (
            SELECT prospect_id, min(date) AS first FROM {table}
            WHERE prospect_id IN (SELECT prospect_id FROM {STAGE} WHERE fresh)
            GROUP BY prospect_id
        ), ranked AS (
            SELECT n, row_number() OVER (PARTITION BY prospect_id ORDER BY date, n) AS k,
                date, prospect_id
            FROM {STAGE} WHERE fresh AND prospect_id IS NOT NULL
        )
        UPDATE {STAGE} SET prospect_status = %s
        FROM ranked LEFT JOIN stored USING (prospect_id)
        WHERE {STAGE}.n = ranked.n
            AND NOT (ranked.k = 1 AND (stored.first IS NULL OR ranked.date < stored.first))
        """,
        [ProspectStatus.EXISTING],
    )


def _rederive_stored(cursor, touched: list[int]) -> None:
    """`services.rederive_prospect_status` for the stored rows of the prospects the
    import touched: the rows whose tag the new rows change (a prospect's earlier first
    activity) or that were wrong, found by one SELECT and re-tagged by one UPDATE, kept
    in RETAGGED for the rollups."""
    table = Activity._meta.db_table
    cursor.execute(
        f"""
        WITH wanted AS (
            SELECT id, prospect_status, CASE WHEN row_number() OVER (
                    PARTITION BY prospect_id ORDER BY date, id) = 1
                THEN %s ELSE %s END AS status
            FROM {table} WHERE prospect_id = ANY(%s)
        )
        SELECT id, status FROM wanted WHERE prospect_status <> status ORDER BY id
        """,
        [ProspectStatus.NEW, ProspectStatus.EXISTING, touched],
    )
    retag = cursor.fetchall()  # usually empty; the UPDATE runs anyway: queries stay fixed
    moved = ", ".join(f"{table}.{name}" for name in MOVED.split(", "))
    cursor.execute(
        f"""
        WITH retagged AS (
            UPDATE {table} SET prospect_status = wanted.status
            FROM unnest(%s::bigint[], %s::text[]) AS wanted (id, status)
            WHERE {table}.id = wanted.id
            RETURNING {table}.id, {moved}, {table}.prospect_id, {table}.opportunity_id
        )
        INSERT INTO {RETAGGED} SELECT * FROM retagged
        """,
        [[pk for pk, _ in retag], [status for _, status in retag]],
    )


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
