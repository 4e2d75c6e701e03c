"""Small helpers for views."""

from django.http import Http404, HttpResponse
from django.shortcuts import render


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


def render_page(request, template: str, context: dict, *, partial: str) -> HttpResponse:
    """The whole page, or for an htmx request only its `partial` (a `{% partialdef %}` of
    the same template): one place for the pair every page with a live part would write."""
    name = f"{template}#{partial}" if request.htmx else template
    return render(request, name, context)
