"""/i18n/js/<language>/: the words static/js needs, cached like a static file.

Every page loads this catalogue before htmx and salestrack.js run, so a slow or uncached
answer holds back every page (docs/i18n.md#javascript). The language is in the path and the
compiled catalogues' version in the query, so one answer can be kept for a year by the
browser and by the server's cache: a new deploy with new words asks for a new URL.
"""

import functools

from django.conf import settings
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.views.decorators.cache import cache_control, cache_page
from django.views.i18n import JavaScriptCatalog

ONE_YEAR = 365 * 24 * 60 * 60


def _version() -> str:
    """When the JavaScript catalogues were last compiled, as a short token."""
    compiled = [
        path.stat().st_mtime_ns
        for locale_dir in settings.LOCALE_PATHS
        for path in locale_dir.glob("*/LC_MESSAGES/djangojs.mo")
    ]
    return format(max(compiled, default=0), "x")[-8:]


VERSION = _version()


class LanguageCatalogue(JavaScriptCatalog):
    """Django's JavaScript catalogue for the language named in the URL, not the reader's."""

    def get(self, request, *args, language, **kwargs):
        if language not in dict(settings.LANGUAGES):
            raise Http404
        with translation.override(language):
            return super().get(request, *args, **kwargs)


catalogue = cache_control(public=True, max_age=ONE_YEAR, immutable=True)(
    cache_page(ONE_YEAR, key_prefix=f"jsi18n-{VERSION}")(LanguageCatalogue.as_view())
)


def context(request):
    """`javascript_catalogue`: the catalogue's URL for the page's language (base.html)."""
    return {"javascript_catalogue": _url_for(translation.get_language())}


@functools.cache
def _url_for(language: str) -> str:
    return f"{reverse('javascript-catalog', args=[language])}?v={VERSION}"
