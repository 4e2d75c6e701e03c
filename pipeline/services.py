"""Every write to the pipeline, with its rules. Pages, the CSV import, seed_demo and tests
all come through here: there is one path into the data."""

from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.formats import money, whole
from pipeline.models import (
    LeadSource,
    Opportunity,
    OpportunityStatus,
    Product,
    Prospect,
    Stage,
    StageChange,
)
from pipeline.selectors import opportunities_visible_to, prospects_visible_to
from pipeline.signals import announce_closing_changed, announce_opportunities_changed
from users.models import Role, User
from users.selectors import reps_visible_to
from webhooks import services as webhooks
from webhooks.models import Event


def _check_owner(by: User | None, owner: User) -> None:
    if owner.role != Role.REP:
        raise ValidationError({"owner": _("Prospects and opportunities are owned by a sales rep.")})
    if not owner.is_active:
        # Values as params, so that an import keeps the message id (imports.reasons).
        raise ValidationError(
            {"owner": ValidationError(_("%(rep)s is deactivated."), params={"rep": str(owner)})}
        )
    if by is not None and not reps_visible_to(by).filter(pk=owner.pk).exists():
        raise PermissionDenied(_("You cannot give work to a rep outside your teams."))


def _save(instance, by: User | None) -> None:
    instance.full_clean()
    if by is not None:
        instance._history_user = by  # read by django-simple-history
    instance.save()


# Prospects ---------------------------------------------------------------------------------


@transaction.atomic
def prospect_create(
    *,
    by: User | None,
    owner: User,
    name: str,
    company: str = "",
    email: str = "",
    phone: str = "",
    source: LeadSource | None = None,
    created_on: date | None = None,
    external_id: str | None = None,
) -> Prospect:
    _check_owner(by, owner)
    prospect = Prospect(
        owner=owner,
        name=name.strip(),
        company=company.strip(),
        email=email.strip().lower(),
        phone=phone.strip(),
        source=source,
        external_id=external_id or None,
    )
    if created_on is not None:
        prospect.created_on = created_on
    _save(prospect, by)
    return prospect


@transaction.atomic
def prospect_update(*, by: User | None, prospect: Prospect, **fields) -> Prospect:
    if by is not None and not prospects_visible_to(by).filter(pk=prospect.pk).exists():
        raise PermissionDenied(_("You cannot edit this prospect."))
    allowed = {"owner", "name", "company", "email", "phone", "source", "created_on"}
    if unknown := set(fields) - allowed:
        raise TypeError(f"prospect_update() cannot change {', '.join(sorted(unknown))}")
    if "owner" in fields:
        _check_owner(by, fields["owner"])
    for name, value in fields.items():
        setattr(prospect, name, value.strip() if isinstance(value, str) else value)
    _save(prospect, by)
    return prospect


# Opportunities -----------------------------------------------------------------------------


def _check_can_change(by: User | None, opportunity: Opportunity) -> None:
    if by is not None and not opportunities_visible_to(by).filter(pk=opportunity.pk).exists():
        raise PermissionDenied(_("You cannot change this opportunity."))


def _apply_stage(
    opportunity: Opportunity, stage: Stage, *, closed_on: date | None, lost_reason: str
) -> None:
    """Set stage, status and the closing fields together, so they never disagree."""
    opportunity.stage = stage
    opportunity.status = stage.status
    if stage.is_closed:
        opportunity.closed_on = closed_on or opportunity.closed_on or timezone.localdate()
        if opportunity.closed_on > timezone.localdate():
            raise ValidationError({"closed_on": _("A deal cannot close in the future.")})
        opportunity.lost_reason = lost_reason.strip() if stage.is_lost else ""
        if stage.is_lost and not opportunity.lost_reason:
            raise ValidationError({"lost_reason": _("Say why it was lost.")})
    else:
        opportunity.closed_on = None  # reopening clears the close
        opportunity.lost_reason = ""


def opportunity_build(
    *,
    owner: User,
    prospect: Prospect,
    name: str,
    amount: Decimal,
    revenue_type: str,
    stage: Stage,
    product: Product | None = None,
    lead_source: LeadSource | None = None,
    opened_on: date | None = None,
    expected_close_on: date | None = None,
    closed_on: date | None = None,
    lost_reason: str = "",
    external_id: str | None = None,
) -> Opportunity:
    """An unsaved opportunity in `stage`, its fields and closing rules checked (raises
    ValidationError): what opportunity_open saves, and what opportunities_bulk_open
    saves by the thousand. Who may open it is the caller's to check."""
    opportunity = Opportunity(
        owner=owner,
        prospect=prospect,
        name=name.strip(),
        amount=amount,
        revenue_type=revenue_type,
        product=product,
        lead_source=lead_source or prospect.source,
        opened_on=opened_on or timezone.localdate(),
        expected_close_on=expected_close_on,
        external_id=external_id or None,
    )
    if opportunity.opened_on > timezone.localdate():
        raise ValidationError({"opened_on": _("An opportunity cannot open in the future.")})
    _apply_stage(opportunity, stage, closed_on=closed_on, lost_reason=lost_reason)
    # The field rules, without a query each (the relations are the caller's; the unique
    # external id and the constraints are checked on save, or by the database in bulk).
    opportunity.clean_fields(exclude=["owner", "prospect", "stage", "product", "lead_source"])
    if opportunity.closed_on and opportunity.closed_on < opportunity.opened_on:
        raise ValidationError({"closed_on": _("An opportunity cannot close before it opened.")})
    return opportunity


@transaction.atomic
def opportunity_open(
    *,
    by: User | None,
    owner: User,
    prospect: Prospect,
    name: str,
    amount: Decimal,
    revenue_type: str,
    stage: Stage | None = None,
    product: Product | None = None,
    lead_source: LeadSource | None = None,
    opened_on: date | None = None,
    expected_close_on: date | None = None,
    closed_on: date | None = None,
    lost_reason: str = "",
    external_id: str | None = None,
) -> Opportunity:
    """Open an opportunity (in the first stage unless told otherwise) and record the move
    into its stage."""
    _check_owner(by, owner)
    if by is not None and not prospects_visible_to(by).filter(pk=prospect.pk).exists():
        raise ValidationError({"prospect": _("Choose a prospect of your team.")})
    opportunity = opportunity_build(
        owner=owner,
        prospect=prospect,
        name=name,
        amount=amount,
        revenue_type=revenue_type,
        stage=stage or Stage.objects.order_by("order").first(),
        product=product,
        lead_source=lead_source,
        opened_on=opened_on,
        expected_close_on=expected_close_on,
        closed_on=closed_on,
        lost_reason=lost_reason,
        external_id=external_id,
    )
    _save(opportunity, by)
    StageChange.objects.create(opportunity=opportunity, to_stage=opportunity.stage, changed_by=by)
    if opportunity.stage.is_closed:
        announce_closing_changed(opportunity.pk)
    if opportunity.stage.is_won:
        _publish_won(opportunity)
    announce_opportunities_changed(owner.pk)
    return opportunity


BULK_BATCH = 2000


@transaction.atomic
def opportunities_bulk_open(*, by: User | None, opportunities: list[Opportunity]) -> None:
    """Save opportunities made by opportunity_build, in batches: the rows, their history
    and their first stage change, as opportunity_open does one by one. The caller has
    checked who they belong to and that their external ids are free (an import, which
    looks them all up in one query); the database holds the rest (its constraints)."""
    for start in range(0, len(opportunities), BULK_BATCH):
        batch = opportunities[start : start + BULK_BATCH]
        bulk_create_with_history(batch, Opportunity, batch_size=BULK_BATCH, default_user=by)
        StageChange.objects.bulk_create(
            StageChange(opportunity=o, to_stage=o.stage, changed_by=by) for o in batch
        )
    if closed := [o.pk for o in opportunities if o.stage.is_closed]:
        announce_closing_changed(*closed)
    announce_opportunities_changed(*(o.owner_id for o in opportunities))


@transaction.atomic
def opportunity_update(*, by: User | None, opportunity: Opportunity, **fields) -> Opportunity:
    """Change what an opportunity is about. Its stage changes only through
    opportunity_move, which keeps the history."""
    _check_can_change(by, opportunity)
    allowed = {
        "owner",
        "prospect",
        "name",
        "amount",
        "revenue_type",
        "product",
        "lead_source",
        "opened_on",
        "expected_close_on",
        "closed_on",
    }
    if unknown := set(fields) - allowed:
        raise TypeError(f"opportunity_update() cannot change {', '.join(sorted(unknown))}")
    if "owner" in fields and fields["owner"] != opportunity.owner:
        _check_owner(by, fields["owner"])
    prospect = fields.get("prospect")
    moves_prospect = prospect is not None and prospect.pk != opportunity.prospect_id
    if (
        moves_prospect
        and by is not None
        and not prospects_visible_to(by).filter(pk=prospect.pk).exists()
    ):
        raise ValidationError({"prospect": _("Choose a prospect of your team.")})
    today = timezone.localdate()
    if fields.get("opened_on") and fields["opened_on"] > today:
        raise ValidationError({"opened_on": _("An opportunity cannot open in the future.")})
    if "closed_on" in fields:
        if opportunity.status == OpportunityStatus.OPEN:
            raise ValidationError(
                {"closed_on": _("Only won or lost opportunities have a close date.")}
            )
        if fields["closed_on"] is None or fields["closed_on"] > today:
            raise ValidationError({"closed_on": _("A deal closes on a day that has come.")})
    previous_owner = opportunity.owner_id
    for name, value in fields.items():
        setattr(opportunity, name, value.strip() if isinstance(value, str) else value)
    _save(opportunity, by)
    if opportunity.status != OpportunityStatus.OPEN and {"closed_on", "prospect"} & set(fields):
        announce_closing_changed(opportunity.pk)
    announce_opportunities_changed(opportunity.owner_id, previous_owner)
    return opportunity


@transaction.atomic
def opportunity_move(
    *,
    by: User | None,
    opportunity: Opportunity,
    stage: Stage,
    closed_on: date | None = None,
    lost_reason: str = "",
) -> Opportunity:
    """Move to another stage. Entering won or lost sets closed_on (lost needs a reason);
    moving back to an open stage clears it. Every move writes a StageChange."""
    _check_can_change(by, opportunity)
    # Lock the row and start from what is stored, so that two moves at once cannot both
    # record a move from the same stage, and a failed attempt leaves nothing behind.
    Opportunity.objects.select_for_update().filter(pk=opportunity.pk).values_list("pk").get()
    opportunity.refresh_from_db()
    if stage.pk == opportunity.stage_id:
        return opportunity
    from_stage = opportunity.stage
    try:
        _apply_stage(opportunity, stage, closed_on=closed_on, lost_reason=lost_reason)
        _save(opportunity, by)
    except ValidationError:
        opportunity.refresh_from_db()
        raise
    StageChange.objects.create(
        opportunity=opportunity, from_stage=from_stage, to_stage=stage, changed_by=by
    )
    if from_stage.is_closed or stage.is_closed:
        announce_closing_changed(opportunity.pk)
        announce_opportunities_changed(opportunity.owner_id)
    if stage.is_won and not from_stage.is_won:
        _publish_won(opportunity)
    return opportunity


def _publish_won(opportunity: Opportunity) -> None:
    """`opportunity.won` to the outbound webhooks (docs/api.md#webhook-events), in this
    transaction."""
    owner, prospect = opportunity.owner, opportunity.prospect
    data = {
        "id": opportunity.pk,
        "name": opportunity.name,
        "prospect": {"id": prospect.pk, "name": prospect.name, "company": prospect.company},
        "amount": money(opportunity.amount),
        "revenue_type": opportunity.revenue_type,
        "owner": {"id": owner.pk, "email": owner.email, "name": owner.full_name},
        "closed_on": opportunity.closed_on,
        "external_id": opportunity.external_id,
    }
    # `text` goes to a third party (a Slack channel…) that has no reader's language: it stays
    # English whoever won the deal, so it is not marked for translation
    # (docs/api.md#outbound-webhooks).
    with translation.override("en"):
        day = formats.date_format(opportunity.closed_on, "j M Y")
    text = (
        f"{owner.full_name} won “{opportunity.name}” ({prospect.company or prospect.name}) "
        f"for {whole(opportunity.amount)} on {day}."
    )
    webhooks.publish(event=Event.OPPORTUNITY_WON, data=data, text=text)


# A rep who leaves ---------------------------------------------------------------------------


@transaction.atomic
def work_hand_over(*, by: User | None, rep: User, to: User, reason: str) -> tuple[int, int]:
    """Give a departing rep's open opportunities and their prospects to `to` (an active
    rep of their team, checked by users.services), each record's history keeping who did
    it and `reason`. Won and lost deals keep their owner: they count for the team of their
    close date (docs/metrics.md#scope-over-time). Returns (opportunities, prospects)."""
    deals = list(
        Opportunity.objects.select_for_update()
        .filter(owner=rep, status=OpportunityStatus.OPEN)
        .order_by("pk")
    )
    prospects = list(Prospect.objects.select_for_update().filter(owner=rep).order_by("pk"))
    for record in [*deals, *prospects]:
        record.owner = to
    options = {"default_user": by, "default_change_reason": reason}
    bulk_update_with_history(deals, Opportunity, ["owner"], **options)
    bulk_update_with_history(prospects, Prospect, ["owner"], **options)
    if deals:
        announce_opportunities_changed(rep.pk, to.pk)
    return len(deals), len(prospects)


# Settings: lead sources, stages, products (admins) -------------------------------------------


def _require_admin(by: User | None) -> None:
    if by is not None and by.role != Role.ADMIN:
        raise PermissionDenied(_("Only admins change lead sources, stages and products."))


@transaction.atomic
def lead_source_save(
    *, by: User | None, name: str, is_active: bool = True, source: LeadSource | None = None
):
    _require_admin(by)
    source = source or LeadSource()
    source.name = name.strip()
    source.is_active = is_active
    _save(source, None)
    return source


@transaction.atomic
def product_save(
    *, by: User | None, name: str, is_active: bool = True, product: Product | None = None
):
    _require_admin(by)
    product = product or Product()
    product.name = name.strip()
    product.is_active = is_active
    _save(product, None)
    return product


@transaction.atomic
def stage_save(
    *,
    by: User | None,
    name: str,
    order: int,
    probability: int,
    is_won: bool = False,
    is_lost: bool = False,
    stage: Stage | None = None,
) -> Stage:
    """Create or change a stage. A stage that holds opportunities cannot switch between
    open, won and lost: that would silently reopen or close them."""
    _require_admin(by)
    stage = stage or Stage()
    changes_kind = stage.pk and (stage.is_won, stage.is_lost) != (is_won, is_lost)
    if changes_kind and stage.opportunities.exists():
        raise ValidationError(
            _(
                "This stage holds opportunities; it cannot become won, lost or open. "
                "Add a new stage instead."
            )
        )
    stage.name = name.strip()
    stage.order = order
    stage.probability = probability
    stage.is_won = is_won
    stage.is_lost = is_lost
    _save(stage, None)
    return stage
