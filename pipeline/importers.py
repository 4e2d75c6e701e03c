"""Importing prospects and opportunities (docs/contracts.md), checked with the pipeline's own
rules and scope (pipeline.selectors) and written in batches: prospects with bulk_create,
new opportunities with `services.opportunities_bulk_open`; a changed opportunity goes
through the services, so that every move stays in its history."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext_noop

from core.reasons import Reason
from imports import registry
from imports.framework import (
    BATCH_SIZE,
    RowErrors,
    by_name,
    first_time,
    named,
    parse_date,
    reps_named,
)
from pipeline import services as pipeline_services
from pipeline.models import LeadSource, Opportunity, Product, Prospect, RevenueType, Stage
from pipeline.phones import e164
from pipeline.selectors import opportunities_visible_to, prospects_visible_to
from users.models import User, canonical_email

PROSPECT_COLUMNS = (
    ["external_id", "name", "owner_email"],
    ["company", "email", "phone", "lead_source", "created_on"],
)
OPPORTUNITY_COLUMNS = (
    [
        "external_id",
        "name",
        "owner_email",
        "prospect_external_id",
        "amount",
        "revenue_type",
        "stage",
        "opened_on",
    ],
    ["expected_close_on", "closed_on", "lead_source", "product"],
)


def _import_prospects(rows, out: RowErrors, *, by, create_missing):
    owners = reps_named(rows, "owner_email", by)
    sources = by_name(LeadSource, {r["lead_source"] for _, r in rows if r.get("lead_source")})
    new_sources: set[str] = set()
    existing = Prospect.objects.select_related("owner").in_bulk(
        [r["external_id"] for _, r in rows], field_name="external_id"
    )
    visible = visible_prospect_ids(by, existing.values())
    parsed = []
    seen = set()
    for line, row in out.checking(rows):
        if not first_time(out, line, row["external_id"], seen):
            continue
        owner = owners.get(canonical_email(row["owner_email"]))
        if owner is None:
            out.error(
                line,
                "owner_email",
                Reason(
                    gettext_noop("no rep %(email)s you can import for"), email=row["owner_email"]
                ),
            )
            continue
        if not owner.is_active:
            out.error(
                line, "owner_email", Reason(gettext_noop("%(rep)s is deactivated."), rep=owner)
            )
            continue
        known = existing.get(row["external_id"])
        if known is not None and known.pk not in visible:
            # External ids are unique across the organisation, so this one cannot be used;
            # say so without saying whose it is or what it names.
            out.error(
                line,
                "external_id",
                Reason(gettext_noop("%(id)s is not available; use another"), id=row["external_id"]),
            )
            continue
        source = named(
            out,
            line,
            "lead_source",
            row.get("lead_source", ""),
            sources,
            create_missing,
            gettext_noop("lead source"),
            new_sources,
            by=by,
        )
        created_on = parse_date(out, line, "created_on", row.get("created_on", ""), required=False)
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
        prospect.phone_e164 = e164(prospect.phone, settings.PHONE_REGION)  # bulk: no save()
        try:
            # The model's own field rules, as the services apply them; the owner, the
            # source and the unique external_id were settled above in a few queries.
            prospect.clean_fields(exclude=["owner", "source"])
        except ValidationError as error:
            out.invalid(line, error)
            continue
        parsed.append((prospect, source, known))
    if out.report.errors:
        return
    for name in new_sources:
        sources[name.lower()] = pipeline_services.lead_source_save(by=by, name=name)
    _write_prospects(parsed, sources, out)


PROSPECT_FIELDS = ["owner", "name", "company", "email", "phone", "source", "created_on"]
# Written with them, derived from the phone (no save() in a bulk write).
DERIVED_FIELDS = ["phone_e164"]


def _write_prospects(parsed, sources, out: RowErrors) -> None:
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
            for name in PROSPECT_FIELDS + DERIVED_FIELDS:
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
        Prospect.objects.bulk_update(batch, PROSPECT_FIELDS + DERIVED_FIELDS)
        written += len(batch)
        out.progress("writing", written)


def visible_prospect_ids(by, prospects) -> set[int]:
    """Which of these prospects the importer may use: all for the command line, their
    teams' for a manager."""
    ids = {p.pk for p in prospects}
    if by is None:
        return ids
    return set(prospects_visible_to(by).filter(pk__in=ids).values_list("pk", flat=True))


def visible_opportunity_ids(by, opportunities) -> set[int]:
    ids = {o.pk for o in opportunities}
    if by is None:
        return ids
    return set(opportunities_visible_to(by).filter(pk__in=ids).values_list("pk", flat=True))


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


def _import_opportunities(rows, out: RowErrors, *, by, create_missing):
    owners = reps_named(rows, "owner_email", by)
    prospects = Prospect.objects.select_related("owner").in_bulk(
        [r["prospect_external_id"] for _, r in rows], field_name="external_id"
    )
    visible = visible_prospect_ids(by, prospects.values())
    stages = by_name(Stage, {r["stage"] for _, r in rows})
    sources = by_name(LeadSource, {r["lead_source"] for _, r in rows if r.get("lead_source")})
    products = by_name(Product, {r["product"] for _, r in rows if r.get("product")})
    new_sources, new_products, new_stages = set(), set(), set()
    existing = Opportunity.objects.select_related("stage").in_bulk(
        [r["external_id"] for _, r in rows], field_name="external_id"
    )
    parsed, seen = [], set()
    for line, row in out.checking(rows):
        if not first_time(out, line, row["external_id"], seen):
            continue
        owner = owners.get(canonical_email(row["owner_email"]))
        if owner is None:
            out.error(
                line,
                "owner_email",
                Reason(
                    gettext_noop("no rep %(email)s you can import for"), email=row["owner_email"]
                ),
            )
        prospect = prospects.get(row["prospect_external_id"])
        if prospect is None or prospect.pk not in visible:
            out.error(
                line,
                "prospect_external_id",
                Reason(gettext_noop("no prospect %(id)s"), id=row["prospect_external_id"]),
            )
            prospect = None
        try:
            amount = Decimal(row["amount"])
            if not amount.is_finite() or amount < 0:
                raise InvalidOperation
        except InvalidOperation:
            out.error(
                line,
                "amount",
                Reason(
                    gettext_noop("“%(value)s” is not an amount like 25000.00 (≥ 0)"),
                    value=row["amount"],
                ),
            )
            amount = None
        if row["revenue_type"] not in RevenueType.values:
            out.error(
                line,
                "revenue_type",
                Reason(
                    gettext_noop("“%(value)s” is not one of %(values)s"),
                    value=row["revenue_type"],
                    values=", ".join(RevenueType.values),
                ),
            )
        stage = named(
            out,
            line,
            "stage",
            row["stage"],
            stages,
            create_missing,
            gettext_noop("stage"),
            new_stages,
            by=by,
        )
        if not row["stage"]:
            out.error(line, "stage", gettext_noop("is empty"))
        source = named(
            out,
            line,
            "lead_source",
            row.get("lead_source", ""),
            sources,
            create_missing,
            gettext_noop("lead source"),
            new_sources,
            by=by,
        )
        product = named(
            out,
            line,
            "product",
            row.get("product", ""),
            products,
            create_missing,
            gettext_noop("product"),
            new_products,
            by=by,
        )
        opened_on = parse_date(out, line, "opened_on", row["opened_on"])
        expected = parse_date(
            out, line, "expected_close_on", row.get("expected_close_on", ""), required=False
        )
        closed_on = parse_date(out, line, "closed_on", row.get("closed_on", ""), required=False)
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
            out.error(
                line,
                "closed_on",
                Reason(
                    gettext_noop("only won or lost opportunities close; “%(stage)s” is open"),
                    stage=stage,
                ),
            )
            continue
        if stage.is_closed and not closed_on:
            out.error(
                line,
                "closed_on",
                Reason(
                    gettext_noop("is empty; a %(stage)s opportunity needs its close date"),
                    stage=stage,
                ),
            )
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
                    raise ValidationError(
                        {
                            "owner_email": ValidationError(
                                gettext_noop("%(rep)s is deactivated."),
                                params={"rep": str(item.owner)},
                            )
                        }
                    )
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
                out.invalid(line, error)
    out.report.created = len(new)
    if new and not out.report.errors and not out.report.dry_run:
        pipeline_services.opportunities_bulk_open(by=by, opportunities=new)
        out.progress("writing", len(new))


PROSPECTS = registry.Importer(
    kind="prospects",
    required=PROSPECT_COLUMNS[0],
    optional=PROSPECT_COLUMNS[1],
    run=_import_prospects,
)
OPPORTUNITIES = registry.Importer(
    kind="opportunities",
    required=OPPORTUNITY_COLUMNS[0],
    optional=OPPORTUNITY_COLUMNS[1],
    run=_import_opportunities,
    choices={"revenue_type": tuple(RevenueType.values)},
)
