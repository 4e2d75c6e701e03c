from django.db.models import QuerySet

from api.models import ApiToken
from users.models import Role, User


def tokens_visible_to(viewer: User) -> QuerySet[ApiToken]:
    """A person's own tokens; an admin's page lists everyone's (they may make one for any
    active user, and revoke any)."""
    tokens = ApiToken.objects.select_related("user", "created_by")
    if viewer.role != Role.ADMIN:
        tokens = tokens.filter(user=viewer)
    return tokens.order_by("revoked_at", "-created_at", "-pk")


def users_who_may_get_tokens(viewer: User) -> QuerySet[User] | None:
    if viewer.role != Role.ADMIN:
        return None
    return User.objects.filter(is_active=True).order_by("full_name", "email")
