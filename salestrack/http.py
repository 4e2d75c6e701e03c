"""Small helpers for views."""

from django.http import Http404


def id_or_404(value) -> int:
    """An object id from a query string: a malformed one finds nothing (404), like an
    unknown one, rather than failing the request."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise Http404("No such object.") from None
    if number < 1:
        raise Http404("No such object.")
    return number
