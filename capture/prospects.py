"""Which prospect an event is about, among those its rep may link (their team's, as on the
pages): by phone, compared as E.164 (`Prospect.phone_e164`, read in
settings.PHONE_REGION), or by email, compared as users' emails are (trimmed, NFKC,
case-folded: `users.models.canonical_email`). When several match, the rep's own prospect
comes first, then the one touched most recently, then the oldest
(docs/api.md#call-events)."""

from django.db.models import Case, F, IntegerField, Value, When

from pipeline.models import Prospect
from pipeline.selectors import prospects_visible_to
from users.models import User, canonical_email


def _preferred(rep: User):
    return prospects_visible_to(rep).order_by(
        Case(When(owner_id=rep.pk, then=Value(0)), default=Value(1), output_field=IntegerField()),
        F("last_touch_on").desc(nulls_last=True),
        "pk",
    )


def prospects_by_phone(rep: User, numbers: set[str]) -> dict[str, Prospect]:
    """The prospect each of these E.164 numbers reaches, for this rep: one query."""
    found: dict[str, Prospect] = {}
    if numbers:
        for prospect in _preferred(rep).filter(phone_e164__in=numbers):
            found.setdefault(prospect.phone_e164, prospect)
    return found


def prospect_by_email(rep: User, email: str) -> Prospect | None:
    wanted = canonical_email(email)
    if not wanted:
        return None
    # Prospects' emails are stored lower-cased; the exact comparison is made here.
    candidates = _preferred(rep).filter(email__in={email.strip().lower(), wanted})
    return next((p for p in candidates if canonical_email(p.email) == wanted), None)
