"""The product's URLs plus /bench/hello/: an authenticated view that renders nothing.

It goes through the same middleware (session, authentication, scope, language) as every page,
so a page's throughput divided by this one's measures what the page itself costs.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def hello(request):
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [path("bench/hello/", hello), path("", include("config.urls"))]
