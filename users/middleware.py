"""Which language a page is written in (docs/i18n.md#choosing-the-language): a signed-in
person's own choice on their profile page, else what the browser says, the language
cookie of the sign-in page's switcher first, then Accept-Language, else English."""

from django.conf import settings
from django.middleware import locale
from django.utils import translation


def chosen_language(request) -> str:
    """The language a signed-in person chose on their profile page, or "" to follow the
    browser (and for anyone not signed in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    language = getattr(user, "language", "")
    return language if language in dict(settings.LANGUAGES) else ""


class LocaleMiddleware(locale.LocaleMiddleware):
    """Django's LocaleMiddleware, after the AuthenticationMiddleware: the person's own
    language beats the cookie and Accept-Language. Their choice is also written to the
    language cookie, so that the sign-in page reads in it after they sign out."""

    def process_request(self, request):
        super().process_request(request)
        if language := chosen_language(request):
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        language = chosen_language(request)
        if language and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != language:
            remember_language(response, language)
        return response


def remember_language(response, language: str) -> None:
    """The language cookie as Django's set_language view writes it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
