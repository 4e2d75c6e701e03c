"""What a request names (a rep by email, a team by name, a prospect or deal by its external
id), found among what the caller may see through the apps' selectors. Not visible is 404
for what the URL or query names, and a named invalid value (422) inside a body."""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from pipeline.models import Opportunity, Prospect
from pipeline.selectors import opportunities_visible_to, prospects_visible_to
from users.models import Role, Team, User, canonical_email
from users.selectors import reps_readable_by, teams_visible_to


def rep_to_log_for(user: User, email: str | None) -> User:
    """The rep an activity is for: the caller by default. Whether the caller may log for
    them is the service's rule (a rep only for themselves)."""
    if not email:
        return user
    rep = User.objects.filter(email=canonical_email(email), role=Role.REP).first()
    if rep is None:
        raise ValidationError({"rep": _("No rep has the email %(email)s.") % {"email": email}})
    return rep


def readable_rep(user: User, email: str) -> User:
    rep = reps_readable_by(user).filter(email=canonical_email(email)).first()
    if rep is None:
        raise Http404
    return rep


def visible_team(user: User, name: str) -> Team:
    team = teams_visible_to(user).filter(name__iexact=name.strip()).first()
    if team is None:
        raise Http404
    return team


def prospect_by_external_id(user: User, external_id: str | None) -> Prospect | None:
    if not external_id:
        return None
    prospect = prospects_visible_to(user).filter(external_id=external_id).first()
    if prospect is None:
        raise ValidationError(
            {
                "prospect": _("No prospect you can see has the external id %(id)s.")
                % {"id": external_id}
            }
        )
    return prospect


def opportunity_by_external_id(user: User, external_id: str | None) -> Opportunity | None:
    if not external_id:
        return None
    opportunity = opportunities_visible_to(user).filter(external_id=external_id).first()
    if opportunity is None:
        raise ValidationError(
            {
                "opportunity": _("No opportunity you can see has the external id %(id)s.")
                % {"id": external_id}
            }
        )
    return opportunity
