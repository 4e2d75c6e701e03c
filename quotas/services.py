"""Writes to the calendar, team targets and quotas, with their rules."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext

from quotas.models import Holiday, Quota, TeamTarget
from quotas.periods import PLANNED_KINDS, Period
from quotas.signals import announce_plan_inputs_changed
from users.models import Role, Team, User


def _require_admin(by: User | None) -> None:
    if by is not None and by.role != Role.ADMIN:
        raise PermissionDenied(gettext("Only admins set holidays, targets and quotas."))


@transaction.atomic
def holiday_add(*, by: User | None, day: date, name: str) -> Holiday:
    _require_admin(by)
    name = name.strip()
    if not name:
        raise ValidationError({"name": gettext("Give the holiday a name.")})
    if Holiday.objects.filter(date=day).exists():
        raise ValidationError(
            {"date": gettext("%(day)s is already a holiday.") % {"day": f"{day:%Y-%m-%d}"}}
        )
    holiday = Holiday(date=day, name=name)
    holiday.full_clean()
    holiday.save()
    announce_plan_inputs_changed()
    return holiday


@transaction.atomic
def holiday_delete(*, by: User | None, holiday: Holiday) -> None:
    _require_admin(by)
    holiday.delete()
    announce_plan_inputs_changed()


@transaction.atomic
def holidays_import(*, by: User | None, text: str) -> int:
    """Add holidays from lines of `YYYY-MM-DD name`; all or nothing, duplicates skipped.
    Returns how many were added."""
    _require_admin(by)
    errors, parsed = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        day_text, _, name = line.replace(",", " ", 1).partition(" ")
        try:
            day = date.fromisoformat(day_text.strip())
        except ValueError:
            errors.append(
                gettext("line %(number)s: “%(text)s” is not a date like 2026-12-25")
                % {"number": number, "text": day_text}
            )
            continue
        if not name.strip():
            errors.append(
                gettext("line %(number)s: the holiday needs a name after the date")
                % {"number": number}
            )
            continue
        holiday = Holiday(date=day, name=name.strip())
        try:
            holiday.full_clean(validate_unique=False)  # listed days are skipped below
        except ValidationError as error:
            errors.extend(
                gettext("line %(number)s: %(message)s") % {"number": number, "message": message}
                for message in error.messages
            )
            continue
        parsed.append(holiday)
    if errors:
        raise ValidationError({"text": errors})
    existing = set(
        Holiday.objects.filter(date__in=[h.date for h in parsed]).values_list("date", flat=True)
    )
    new = {h.date: h for h in parsed if h.date not in existing}
    Holiday.objects.bulk_create([new[day] for day in sorted(new)])
    if new:
        announce_plan_inputs_changed()
    return len(new)


@dataclass(frozen=True)
class QuotaLine:
    rep: User
    weight: Decimal
    revenue_quota: Decimal
    deals_quota: int | None


@transaction.atomic
def team_target_save(
    *,
    by: User | None,
    team: Team,
    period: Period,
    basis_revenue: Decimal,
    growth_pct: Decimal | None,
    revenue_target: Decimal,
    avg_deal_size: Decimal | None,
    quotas: list[QuotaLine],
) -> TeamTarget:
    """Save a team's target for a period and its reps' quotas, replacing earlier ones for
    the same period. The quotas must add up to the target exactly, and belong to the
    team's active reps."""
    _require_admin(by)
    if period.kind not in PLANNED_KINDS:
        raise ValidationError(
            {"period": gettext("Targets are set for a month, a quarter or a year.")}
        )
    if revenue_target < 0 or basis_revenue < 0:
        raise ValidationError({"revenue_target": gettext("Amounts cannot be negative.")})
    if avg_deal_size is not None and avg_deal_size <= 0:
        raise ValidationError({"avg_deal_size": gettext("The average deal size is above zero.")})
    team_reps = set(team.reps.filter(is_active=True, role=Role.REP).values_list("pk", flat=True))
    strangers = [str(line.rep) for line in quotas if line.rep.pk not in team_reps]
    if strangers:
        raise ValidationError(
            {
                "quotas": gettext("Not active reps of %(team)s: %(names)s.")
                % {"team": team, "names": ", ".join(strangers)}
            }
        )
    if any(line.revenue_quota < 0 or line.weight < 0 for line in quotas):
        raise ValidationError({"quotas": gettext("Quotas and weights cannot be negative.")})
    total = sum((line.revenue_quota for line in quotas), Decimal(0))
    if quotas and total != revenue_target:
        raise ValidationError(
            {
                "quotas": gettext("The quotas add up to %(total)s, not to the target %(target)s.")
                % {"total": total, "target": revenue_target}
            }
        )
    target, _ = TeamTarget.objects.update_or_create(
        team=team,
        period_kind=period.kind,
        period_start=period.start,
        defaults={
            "period_end": period.end,
            "period_label": period.label,
            "basis_revenue": basis_revenue,
            "growth_pct": growth_pct,
            "revenue_target": revenue_target,
            "avg_deal_size": avg_deal_size,
            "set_by": by,
        },
    )
    for line in quotas:
        Quota.objects.update_or_create(
            rep=line.rep,
            period_kind=period.kind,
            period_start=period.start,
            defaults={
                "team_target": target,
                "period_end": period.end,
                "period_label": period.label,
                "revenue_quota": line.revenue_quota,
                "deals_quota": line.deals_quota,
                "weight": line.weight,
            },
        )
    # Reps no longer in the split (they left or moved since) keep no quota from it.
    stale = Quota.objects.filter(team_target=target).exclude(
        rep__in=[line.rep.pk for line in quotas]
    )
    gone = list(stale.values_list("rep_id", flat=True))
    stale.delete()
    announce_plan_inputs_changed([*(line.rep.pk for line in quotas), *gone])
    return target
