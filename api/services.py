"""Writes of the API's own: tokens (create, revoke, use) and idempotent answers. The writes to
the product's data go through each app's services (docs/api.md)."""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from api.models import ApiToken, IdempotentRequest, Scope
from users.models import Role, User

TOKEN_PREFIX = "st_"
PREFIX_SHOWN = len(TOKEN_PREFIX) + 8
MAX_EXPIRY_DAYS = 3650
# last_used_at is for people ("used today"), not an audit log: one write a minute at most.
LAST_USED_RESOLUTION = timedelta(minutes=1)
IDEMPOTENCY_HOURS = 24


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    raw: str  # shown once, never stored


@transaction.atomic
def token_create(
    *,
    by: User | None,
    user: User,
    name: str,
    scope: str = Scope.WRITE,
    expires_in_days: int | None = None,
) -> NewToken:
    """A new token for `user`: people make their own; an admin (or the command line, `by`
    None) may make one for any active user."""
    if by is not None and by.pk != user.pk and by.role != Role.ADMIN:
        raise PermissionDenied(_("You can create tokens only for yourself."))
    errors = {}
    if not user.is_active:
        errors["user"] = _("%(user)s is deactivated.") % {"user": user}
    if scope not in Scope.values:
        errors["scope"] = _("The scope is read or write.")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        errors["expires_in_days"] = _("A token expires in 1 to %(max)s days.") % {
            "max": MAX_EXPIRY_DAYS
        }
    if errors:
        raise ValidationError(errors)
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = timezone.now()
    token = ApiToken(
        user=user,
        name=(name or "").strip(),
        prefix=raw[:PREFIX_SHOWN],
        key_hash=hash_token(raw),
        scope=scope,
        created_at=now,
        created_by=by,
        expires_at=now + timedelta(days=expires_in_days) if expires_in_days else None,
    )
    token.full_clean()
    token.save()
    return NewToken(token=token, raw=raw)


@transaction.atomic
def token_revoke(*, by: User | None, token: ApiToken) -> ApiToken:
    if by is not None and by.pk != token.user_id and by.role != Role.ADMIN:
        raise PermissionDenied(_("You can revoke only your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def token_authenticate(raw: str) -> ApiToken | None:
    """The live token this secret is, with its user, or None: unknown, revoked, expired, or
    its user deactivated (their tokens stop at once). Notes when it was last used."""
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(raw), revoked_at__isnull=True)
        .first()
    )
    now = timezone.now()
    if token is None or not token.is_live(now):
        return None
    if token.last_used_at is None or token.last_used_at < now - LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


# Idempotency-Key -------------------------------------------------------------------------------


class IdempotencyConflict(Exception):
    """The key was used with another body."""


def idempotent_claim(*, user: User, key: str, body: bytes) -> IdempotentRequest | None:
    """Call first inside the write's transaction. None: this request is the first with the
    key, go on and `idempotent_keep` the answer. Otherwise the stored first answer. A
    concurrent twin waits here on the unique key until the first commits."""
    digest = hashlib.sha256(body).hexdigest()
    since = timezone.now() - timedelta(hours=IDEMPOTENCY_HOURS)
    IdempotentRequest.objects.filter(user=user, key=key, created_at__lt=since).delete()
    record, created = IdempotentRequest.objects.get_or_create(
        user=user, key=key, defaults={"request_hash": digest}
    )
    if created:
        return None
    if record.request_hash != digest:
        raise IdempotencyConflict
    return record


def idempotent_keep(*, user: User, key: str, status: int, response) -> None:
    IdempotentRequest.objects.filter(user=user, key=key).update(status=status, response=response)


def idempotent_purge(*, older_than_hours: int = IDEMPOTENCY_HOURS) -> int:
    since = timezone.now() - timedelta(hours=older_than_hours)
    return IdempotentRequest.objects.filter(created_at__lt=since).delete()[0]
