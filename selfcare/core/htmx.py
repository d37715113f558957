"""htmx helpers: a page answers an htmx request with the part it swaps, anything else with the page."""

from django.shortcuts import render
from django.utils.cache import patch_vary_headers


def is_fragment_request(request) -> bool:
    """An htmx request for part of a page; htmx restoring its history asks for the whole page."""
    return bool(request.headers.get("HX-Request")) and not request.headers.get("HX-History-Restore-Request")


def render_page_or_fragment(request, page: str, fragment: str, context: dict, **kwargs):
    """The fragment template for htmx, the page template otherwise; caches keep the two apart."""
    response = render(request, fragment if is_fragment_request(request) else page, context, **kwargs)
    patch_vary_headers(response, ["HX-Request"])
    return response
