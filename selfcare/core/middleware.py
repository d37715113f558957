from django.conf import settings
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject

from .scope import build_scope


class ScopeMiddleware:
    """Attach request.scope, built on first use so that pages which do not need it pay nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: build_scope(request.user, request.session))
        return self.get_response(request)


class LanguageMiddleware:
    """Italian unless the user chose English with the IT/EN switch (the language cookie).

    Pages ignore the browser's Accept-Language on purpose: the portal is Italian first, and many
    Italian users browse with an English-language browser. The API, used by apps and customers'
    systems, honours Accept-Language as well.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen and translation.check_for_language(chosen):
            language = translation.get_supported_language_variant(chosen)
        elif request.path.startswith("/api/"):
            language = translation.get_language_from_request(request)
        else:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie", "Accept-Language"])
        response.headers.setdefault("Content-Language", language)
        return response
