"""Language from ``?lang=fr`` so a shared link opens in the reader's language."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


class QueryLanguageMiddleware:
    """Honour ``?lang=xx`` before LocaleMiddleware and remember it in a cookie."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lang = request.GET.get("lang")
        if lang in LANGUAGE_CODES:
            request.COOKIES[settings.LANGUAGE_COOKIE_NAME] = lang
            translation.activate(lang)
        response = self.get_response(request)
        if lang in LANGUAGE_CODES:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                lang,
                samesite="Lax",
                secure=settings.LANGUAGE_COOKIE_SECURE,  # HTTPS only with COMMONGROUND_HTTPS
            )
        return response
