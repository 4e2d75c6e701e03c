"""Which prospect an event is about, among those its rep may link (their team's, as on the
pages: `pipeline.selectors.prospects_visible_to`), for a whole batch in one query
(docs/api.md#email-events, docs/api.md#call-events).

An address with an `@` is compared as users' emails are (trimmed, NFKC, case-folded:
`users.models.canonical_email`); anything else, for a call, as a phone number in E.164
(`Prospect.phone_e164`, read in settings.PHONE_REGION). Of several, the rep's own comes
first. The two channels then differ, on purpose, in one rule (`Rule`):

- a call takes the prospect touched most recently, then the oldest: the person the rep is
  working with now;
- an email takes the oldest: its prospect is chosen once, when the message is first seen,
  and must be the same whatever order its events arrive in — a last touch, which the
  events themselves move, would make the choice depend on that order.
"""

from dataclasses import dataclass
from datetime import date
from functools import reduce
from operator import or_

from django.conf import settings
from django.db.models import Q

from pipeline.models import Prospect
from pipeline.phones import e164
from users.models import User, canonical_email
from users.selectors import owned_now_visible_to


@dataclass(frozen=True)
class Rule:
    phones: bool  # a `to` without an @ is a phone number
    last_touched_first: bool  # of several, the one touched most recently (else the oldest)


CALLS = Rule(phones=True, last_touched_first=True)
EMAILS = Rule(phones=False, last_touched_first=False)


def _key(to: str, rule: Rule) -> tuple[str, str]:
    """How `to` is compared: ("email", its canonical form) or ("phone", its E.164)."""
    if "@" in to or not rule.phones:
        return "email", canonical_email(to)
    return "phone", e164(to, settings.PHONE_REGION)


def prospects_for(wanted: set[tuple[User, str]], *, rule: Rule) -> dict[tuple[int, str], int]:
    """The prospect id each (rep, to) reaches, keyed by (rep id, to); a pair that reaches
    none is absent. One query for the batch."""
    keys = {to: _key(to, rule) for _rep, to in wanted}
    emails, numbers = set(), set()
    for to, (kind, value) in keys.items():
        if kind == "email" and value:
            emails |= {value, to.strip().lower()}  # stored lower-cased; compared exactly below
        elif kind == "phone" and value:
            numbers.add(value)
    reps = {rep.pk: rep for rep, _to in wanted}
    if not (emails or numbers) or not reps:
        return {}
    # A set: the reps of one team share one condition.
    visible = reduce(
        or_,
        {
            owned_now_visible_to(rep, owner_field="owner", team_wide_for_reps=True)
            for rep in reps.values()
        },
    )
    either = Q()
    if emails:
        either |= Q(email__in=emails)
    if numbers:
        either |= Q(phone_e164__in=numbers)
    matches = Prospect.objects.filter(visible).filter(either)
    candidates: dict[tuple[str, str], list[tuple]] = {}
    for pk, email, phone, owner_id, team_id, touched in matches.values_list(
        "pk", "email", "phone_e164", "owner_id", "owner__team_id", "last_touch_on"
    ):
        if email:
            candidates.setdefault(("email", canonical_email(email)), []).append(
                (pk, owner_id, team_id, touched)
            )
        if phone and phone in numbers:
            candidates.setdefault(("phone", phone), []).append((pk, owner_id, team_id, touched))
    found = {}
    for rep, to in wanted:
        reachable = [
            c
            for c in candidates.get(keys[to], [])
            # As owned_now_visible_to reads for a rep: their team's, or their own.
            if c[1] == rep.pk or (rep.team_id and c[2] == rep.team_id)
        ]
        if not reachable:
            continue

        def preference(candidate, rep=rep):
            pk, owner_id, _team, touched = candidate
            recency = -(touched or date.min).toordinal() if rule.last_touched_first else 0
            return (owner_id != rep.pk, recency, pk)

        found[(rep.pk, to)] = min(reachable, key=preference)[0]
    return found
