"""The funnel metrics of docs/metrics.md#metrics as pure math: counts in, ratios out. No Django
here.

A ratio whose denominator is zero is "no data" (None), never 0 and never an error. Ratios
stay fractions at full precision; `core.formats.percent()` and `as_json()` round
them for people and for JSON.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from core.formats import money
from quotas.backsolve import Rates

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri")
JSON_DECIMALS = 6


def ratio(numerator, denominator) -> float | None:
    """numerator / denominator, or None ("no data") when the denominator is zero."""
    if not denominator:
        return None
    return float(numerator) / float(denominator)


@dataclass
class FunnelCounts:
    """Everything docs/metrics.md#counts counts for one scope (a rep, a team, the organisation) and
    range. The activity counts have the names of the daily rollup's columns (activities.rollups)."""

    activities: int = 0
    activities_new: int = 0
    calls: int = 0
    calls_new: int = 0
    calls_existing: int = 0
    connects: int = 0
    timed_connects: int = 0
    talk_minutes: int = 0
    followed_up_connects: int = 0
    emails: int = 0
    emails_new: int = 0
    emails_existing: int = 0
    emails_bounced: int = 0
    emails_opened: int = 0
    emails_replied: int = 0
    emails_unsubscribed: int = 0
    meetings: int = 0
    meetings_held: int = 0
    meetings_held_new: int = 0
    meetings_held_existing: int = 0
    messages: int = 0
    messages_new: int = 0
    messages_existing: int = 0
    messages_replied: int = 0
    meetings_booked: int = 0
    positive_meetings: int = 0
    opportunities_created: int = 0
    won: int = 0
    lost: int = 0
    revenue_won: Decimal = Decimal("0")
    # Sums over won deals, for the means: days from open to close, and touches.
    sales_cycle_days_total: int = 0
    touches_total: int = 0
    revenue_by_type: dict[str, Decimal] = field(default_factory=dict)
    revenue_by_source: dict[str, Decimal] = field(default_factory=dict)
    calls_by_weekday: dict[str, int] = field(default_factory=dict)
    connects_by_weekday: dict[str, int] = field(default_factory=dict)

    @classmethod
    def total(cls, many) -> "FunnelCounts":
        """The sum of many (a scope's reps), field by field and key by key; ratios are then
        computed from the sums, never averaged."""
        sums: dict = {}
        for counts in many:
            for name, value in counts.__dict__.items():
                if name not in sums:
                    sums[name] = dict(value) if type(value) is dict else value
                elif type(value) is dict:
                    merged = sums[name]
                    for key, part in value.items():
                        merged[key] = merged.get(key, 0) + part
                else:
                    sums[name] += value
        return cls(**sums)

    @property
    def closed(self) -> int:
        """Deals closed, won or lost: the denominator of the win rate."""
        return self.won + self.lost

    @property
    def contacts(self) -> int:
        """Every touch that counts as a contact: calls, emails, messages, meetings held."""
        return self.calls + self.emails + self.messages + self.meetings_held

    @property
    def delivered_emails(self) -> int:
        """Emails that reached someone: sent minus bounced, the denominator of the open,
        reply and unsubscribe rates."""
        return self.emails - self.emails_bounced


@dataclass(frozen=True)
class Funnel:
    counts: FunnelCounts
    connect_rate: float | None
    win_rate: float | None
    contact_close_rate: float | None
    call_to_meeting_rate: float | None
    meeting_to_opportunity_rate: float | None
    meeting_to_won_rate: float | None
    calls_per_won_deal: float | None
    avg_deal_size: Decimal | None
    sales_cycle_days: float | None
    touches_per_won_deal: float | None
    hit_rate_by_weekday: dict[str, float | None]
    # Email and message effectiveness, call quality (docs/metrics.md#metrics).
    email_bounce_rate: float | None
    email_open_rate: float | None
    email_reply_rate: float | None
    email_unsubscribe_rate: float | None
    message_reply_rate: float | None
    avg_call_minutes: float | None
    follow_up_rate: float | None

    @property
    def delivered_emails(self) -> int:
        return self.counts.delivered_emails


def funnel(counts: FunnelCounts) -> Funnel:
    """The ratios (docs/metrics.md#ratios) from a scope's counts."""
    c = counts
    return Funnel(
        counts=c,
        connect_rate=ratio(c.connects, c.calls),
        win_rate=ratio(c.won, c.closed),
        contact_close_rate=ratio(c.won, c.contacts),
        call_to_meeting_rate=ratio(c.meetings_held, c.calls),
        meeting_to_opportunity_rate=ratio(c.opportunities_created, c.meetings_held),
        meeting_to_won_rate=ratio(c.won, c.meetings_held),
        calls_per_won_deal=ratio(c.calls, c.won),
        avg_deal_size=(c.revenue_won / c.won).quantize(Decimal("0.01")) if c.won else None,
        sales_cycle_days=ratio(c.sales_cycle_days_total, c.won),
        touches_per_won_deal=ratio(c.touches_total, c.won),
        hit_rate_by_weekday={
            day: ratio(c.connects_by_weekday.get(day, 0), c.calls_by_weekday.get(day, 0))
            for day in WEEKDAYS
        },
        email_bounce_rate=ratio(c.emails_bounced, c.emails),
        email_open_rate=ratio(c.emails_opened, c.delivered_emails),
        email_reply_rate=ratio(c.emails_replied, c.delivered_emails),
        email_unsubscribe_rate=ratio(c.emails_unsubscribed, c.delivered_emails),
        message_reply_rate=ratio(c.messages_replied, c.messages),
        # Over the connected calls that have a duration: one without is left out, not 0.
        avg_call_minutes=ratio(c.talk_minutes, c.timed_connects),
        follow_up_rate=ratio(c.followed_up_connects, c.connects),
    )


COUNT_FIELDS = [
    "calls",
    "calls_new",
    "calls_existing",
    "connects",
    "emails",
    "emails_new",
    "emails_existing",
    "meetings_held",
    "meetings_held_new",
    "meetings_held_existing",
    "messages",
    "messages_new",
    "messages_existing",
    "meetings_booked",
    "positive_meetings",
    "opportunities_created",
    "won",
    "lost",
    "emails_bounced",
    "emails_opened",
    "emails_replied",
    "emails_unsubscribed",
    "messages_replied",
    "talk_minutes",
    "followed_up_connects",
]
RATIO_FIELDS = [
    "connect_rate",
    "win_rate",
    "contact_close_rate",
    "call_to_meeting_rate",
    "meeting_to_opportunity_rate",
    "meeting_to_won_rate",
    "calls_per_won_deal",
    "sales_cycle_days",
    "touches_per_won_deal",
    "email_bounce_rate",
    "email_open_rate",
    "email_reply_rate",
    "email_unsubscribe_rate",
    "message_reply_rate",
    "avg_call_minutes",
    "follow_up_rate",
]


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, JSON_DECIMALS)


def as_json(result: Funnel) -> dict:
    """Every metric by its docs/metrics.md name: counts as integers, money as decimal strings,
    ratios as fractions (6 decimals), days as numbers, no data as null."""
    c = result.counts
    data = {name: getattr(c, name) for name in COUNT_FIELDS}
    data["revenue_won"] = money(c.revenue_won)
    data["revenue_won_by_type"] = {k: money(v) for k, v in sorted(c.revenue_by_type.items())}
    data["revenue_won_by_source"] = {k: money(v) for k, v in sorted(c.revenue_by_source.items())}
    for name in RATIO_FIELDS:
        data[name] = _rounded(getattr(result, name))
    data["avg_deal_size"] = money(result.avg_deal_size)
    data["hit_rate_by_weekday"] = {
        day: _rounded(rate) for day, rate in result.hit_rate_by_weekday.items()
    }
    return data


def rates_from(result: Funnel) -> Rates:
    """The conversion rates a backsolve needs, read off a funnel
    (docs/metrics.md#the-goal-backsolve)."""
    c = result.counts
    return Rates(
        win_rate=result.win_rate,
        meeting_to_opportunity_rate=result.meeting_to_opportunity_rate,
        call_to_meeting_rate=result.call_to_meeting_rate,
        emails_per_meeting=ratio(c.emails, c.meetings_held),
        messages_per_meeting=ratio(c.messages, c.meetings_held),
        avg_deal_size=result.avg_deal_size,
    )
