"""/api/v1/prospects and /api/v1/opportunities: upsert on `external_id` with the import's
columns, and the stage move, through the pipeline's services
(docs/api.md#prospects-and-opportunities)."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from pydantic import Field

from api.activities import cursor_after, cursor_for
from api.auth import caller, require_write
from api.errors import Invalid, errors_of
from api.history import written_with
from api.payload import batch_body_schema, idempotent, parse_items, write_items
from api.schemas import ERRORS, READ_ERRORS, Strict, WriteResult
from pipeline import services
from pipeline.models import LeadSource, Opportunity, Product, Prospect, Stage
from pipeline.selectors import opportunities_visible_to, prospects_visible_to
from users import organisation
from users.models import User, canonical_email

router = Router(tags=["pipeline"])

ExternalId = Field(min_length=1, max_length=64)


class ProspectIn(Strict):
    external_id: str = ExternalId
    name: str = Field(max_length=150)
    company: str = Field(default="", max_length=150)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=40)
    lead_source: str = Field(default="", max_length=80, description="A lead source's name.")
    owner_email: str | None = Field(default=None, max_length=254, description="Default: you.")
    created_on: dt.date | None = None


class ProspectOut(Schema):
    id: int
    external_id: str | None
    name: str
    company: str
    email: str
    phone: str
    lead_source: str
    owner_email: str
    created_on: dt.date


class OpportunityIn(Strict):
    external_id: str = ExternalId
    name: str = Field(max_length=150)
    owner_email: str | None = Field(default=None, max_length=254, description="Default: you.")
    prospect_external_id: str = ExternalId
    amount: Decimal = Field(max_digits=14, decimal_places=2)
    revenue_type: str = Field(max_length=10, description="recurring, one_time or contract")
    stage: str = Field(default="", max_length=60, description="A stage's name; default the first.")
    opened_on: dt.date | None = None
    expected_close_on: dt.date | None = None
    closed_on: dt.date | None = None
    lead_source: str = Field(default="", max_length=80)
    product: str = Field(default="", max_length=120)


class OpportunityOut(Schema):
    id: int
    external_id: str | None
    name: str
    owner_email: str
    prospect_external_id: str | None
    amount: Decimal
    currency: str  # the organisation's (users.organisation.currency), docs/contracts.md#currency
    revenue_type: str
    stage: str
    status: str
    opened_on: dt.date
    expected_close_on: dt.date | None
    closed_on: dt.date | None
    lost_reason: str
    lead_source: str
    product: str


class MoveIn(Strict):
    stage: str = Field(max_length=60)
    closed_on: dt.date | None = None
    lost_reason: str = Field(default="", max_length=200)


class ListQuery(Schema):
    cursor: str | None = Field(default=None, max_length=100)
    limit: int = Field(default=100, ge=1, le=500)


class ProspectPage(Schema):
    results: list[ProspectOut]
    next: str | None


class OpportunityPage(Schema):
    results: list[OpportunityOut]
    next: str | None


def prospect_out(p: Prospect) -> dict:
    return {
        "id": p.pk,
        "external_id": p.external_id,
        "name": p.name,
        "company": p.company,
        "email": p.email,
        "phone": p.phone,
        "lead_source": p.source.name if p.source else "",
        "owner_email": p.owner.email,
        "created_on": p.created_on,
    }


def opportunity_out(o: Opportunity) -> dict:
    return {
        "id": o.pk,
        "external_id": o.external_id,
        "name": o.name,
        "owner_email": o.owner.email,
        "prospect_external_id": o.prospect.external_id,
        "amount": o.amount,
        "currency": organisation.currency(),
        "revenue_type": o.revenue_type,
        "stage": o.stage.name,
        "status": o.status,
        "opened_on": o.opened_on,
        "expected_close_on": o.expected_close_on,
        "closed_on": o.closed_on,
        "lost_reason": o.lost_reason,
        "lead_source": o.lead_source.name if o.lead_source else "",
        "product": o.product.name if o.product else "",
    }


def _page(request, rows, query: ListQuery, out):
    rows = list(rows.filter(pk__gt=cursor_after(query.cursor)).order_by("pk")[: query.limit + 1])
    next_url = None
    if len(rows) > query.limit:
        rows = rows[: query.limit]
        params = request.GET.copy()
        params["cursor"] = cursor_for(rows[-1].pk)
        next_url = request.build_absolute_uri(f"{request.path}?{params.urlencode()}")
    return {"results": [out(row) for row in rows], "next": next_url}


# Look-ups by name, as the import matches them (case-insensitive) --------------------------------


def _named(model, name: str, field: str):
    if not name:
        return None
    found = model.objects.filter(name__iexact=name.strip()).first()
    if found is None:
        raise ValidationError(
            {
                field: _("There is no %(field)s named “%(name)s”.")
                % {"field": field.replace("_", " "), "name": name}
            }
        )
    return found


def _owner(user: User, email: str | None) -> User:
    if not email:
        return user
    owner = User.objects.filter(email=canonical_email(email)).first()
    if owner is None:
        raise ValidationError(
            {"owner_email": _("No user has the email %(email)s.") % {"email": email}}
        )
    return owner


def _changed(row, fields: dict) -> dict:
    return {name: value for name, value in fields.items() if getattr(row, name) != value}


# Prospects ---------------------------------------------------------------------------------------


@router.get("/prospects", response={200: ProspectPage, **READ_ERRORS})
def list_prospects(request, query: Query[ListQuery]):
    rows = prospects_visible_to(caller(request).user).select_related("owner", "source")
    return _page(request, rows, query, prospect_out)


def _write_prospect(user: User, item: ProspectIn):
    fields = {
        "owner": _owner(user, item.owner_email),
        "name": item.name.strip(),
        "company": item.company.strip(),
        "email": item.email.strip().lower(),
        "phone": item.phone.strip(),
        "source": _named(LeadSource, item.lead_source, "lead_source"),
    }
    if item.created_on is not None:
        fields["created_on"] = item.created_on
    existing = prospects_visible_to(user).filter(external_id=item.external_id).first()
    if existing is None:
        prospect = services.prospect_create(by=user, external_id=item.external_id, **fields)
        return prospect, "created"
    if not (changes := _changed(existing, fields)):
        return existing, "unchanged"
    return services.prospect_update(by=user, prospect=existing, **changes), "updated"


PROSPECT_FIELDS = {"owner": "owner_email", "source": "lead_source"}


@router.post(
    "/prospects",
    response={200: WriteResult, 201: WriteResult, **ERRORS},
    openapi_extra=batch_body_schema(ProspectIn, "prospects", settings.API_MAX_ITEMS),
)
def upsert_prospects(request):
    """One prospect or `{"prospects": [...]}`, matched on `external_id`."""
    who = require_write(request)
    items, batch = parse_items(request.body, ProspectIn, "prospects")
    return Status(
        *idempotent(
            request,
            who,
            lambda: write_items(
                items,
                lambda item: _write_prospect(who.user, item),
                batch=batch,
                fields=PROSPECT_FIELDS,
            ),
        )
    )


# Opportunities -----------------------------------------------------------------------------------


def _visible_opportunities(user):
    return opportunities_visible_to(user).select_related(
        "owner", "prospect", "stage", "lead_source", "product"
    )


@router.get("/opportunities", response={200: OpportunityPage, **READ_ERRORS})
def list_opportunities(request, query: Query[ListQuery]):
    return _page(request, _visible_opportunities(caller(request).user), query, opportunity_out)


def _write_opportunity(user: User, item: OpportunityIn):
    prospect = prospects_visible_to(user).filter(external_id=item.prospect_external_id).first()
    if prospect is None:
        raise ValidationError(
            {
                "prospect_external_id": _("No prospect you can see has the external id %(id)s.")
                % {"id": item.prospect_external_id}
            }
        )
    stage = _named(Stage, item.stage, "stage")
    fields = {
        "owner": _owner(user, item.owner_email),
        "prospect": prospect,
        "name": item.name.strip(),
        "amount": item.amount,
        "revenue_type": item.revenue_type,
        "product": _named(Product, item.product, "product"),
        "lead_source": _named(LeadSource, item.lead_source, "lead_source"),
        "expected_close_on": item.expected_close_on,
    }
    if item.opened_on is not None:
        fields["opened_on"] = item.opened_on
    existing = _visible_opportunities(user).filter(external_id=item.external_id).first()
    if existing is None:
        opportunity = services.opportunity_open(
            by=user,
            stage=stage,
            closed_on=item.closed_on,
            external_id=item.external_id,
            **fields,
        )
        return opportunity, "created"
    changes = _changed(existing, fields)
    if changes:
        existing = services.opportunity_update(by=user, opportunity=existing, **changes)
    moved = stage is not None and stage.pk != existing.stage_id
    if moved:
        existing = services.opportunity_move(
            by=user, opportunity=existing, stage=stage, closed_on=item.closed_on
        )
    return existing, ("updated" if changes or moved else "unchanged")


OPPORTUNITY_FIELDS = {
    "owner": "owner_email",
    "prospect": "prospect_external_id",
    "source": "lead_source",
}


@router.post(
    "/opportunities",
    response={200: WriteResult, 201: WriteResult, **ERRORS},
    openapi_extra=batch_body_schema(OpportunityIn, "opportunities", settings.API_MAX_ITEMS),
)
def upsert_opportunities(request):
    """One opportunity or `{"opportunities": [...]}`, matched on `external_id`; a new stage
    is a move, kept in the stage history as on the board."""
    who = require_write(request)
    items, batch = parse_items(request.body, OpportunityIn, "opportunities")
    return Status(
        *idempotent(
            request,
            who,
            lambda: write_items(
                items,
                lambda item: _write_opportunity(who.user, item),
                batch=batch,
                fields=OPPORTUNITY_FIELDS,
            ),
        )
    )


@router.post("/opportunities/{opportunity_id}/move", response={200: OpportunityOut, **ERRORS})
def move_opportunity(request, opportunity_id: int, payload: MoveIn):
    """Move to another stage (won or lost close it; lost needs `lost_reason`)."""
    who = require_write(request)
    opportunity = get_object_or_404(_visible_opportunities(who.user), pk=opportunity_id)
    with written_with(who.token_name), transaction.atomic():
        try:
            stage = _named(Stage, payload.stage, "stage")
            if stage is None:
                raise ValidationError({"stage": _("Name the stage to move to.")})
            opportunity = services.opportunity_move(
                by=who.user,
                opportunity=opportunity,
                stage=stage,
                closed_on=payload.closed_on,
                lost_reason=payload.lost_reason,
            )
        except ValidationError as error:
            raise Invalid(errors_of(error)) from None
    return opportunity_out(_visible_opportunities(who.user).get(pk=opportunity.pk))
