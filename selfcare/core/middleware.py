from django.utils.functional import SimpleLazyObject

from .scope import build_scope


class ScopeMiddleware:
    """Attach request.scope, built on first use so that pages which do not need it pay nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.scope = SimpleLazyObject(lambda: build_scope(request.user, request.session))
        return self.get_response(request)
