"""Writes made with a token are the token user's, and their history says which token made
them (docs/api.md#history). The user comes from the services' `by`; the token's name is
added here to every historical record written while the request runs."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.utils.translation import gettext

_token_name: ContextVar[str | None] = ContextVar("api_token_name", default=None)


@contextmanager
def written_with(token_name: str | None) -> Iterator[None]:
    marker = _token_name.set(token_name)
    try:
        yield
    finally:
        _token_name.reset(marker)


def reason_for(token_name: str, reason: str | None) -> str:
    via = gettext("with the API token “%(name)s”") % {"name": token_name}
    return f"{reason} ({via})" if reason else via


def name_the_token(sender, history_instance, **kwargs) -> None:
    """simple_history's pre_create_historical_record: sign the record with the token."""
    name = _token_name.get()
    if name:
        field = history_instance._meta.get_field("history_change_reason")
        reason = reason_for(name, history_instance.history_change_reason)
        history_instance.history_change_reason = reason[: field.max_length]
