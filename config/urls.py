from django.contrib import admin
from django.urls import include, path

from selfcare.core import views as core_views

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("backoffice/", admin.site.urls),
    path("api/", include("selfcare.api.urls")),
    path("api/auth/", include("selfcare.api.auth")),
    path("account/", include("selfcare.accounts.urls")),
    path("account/", include("selfcare.accounts.allauth_urls")),
    path("prodotti/", include("selfcare.lines.urls")),
    path("costi/", include("selfcare.costs.urls")),
    path("traffico/", include("selfcare.usage.urls")),
    path("conto/", include("selfcare.billing.urls")),
    path("pagamenti/", include("selfcare.billing.payments.urls")),
    path("assistenza/", include("selfcare.tickets.urls")),
    path("", include("selfcare.notifications.urls")),
    path("", include("selfcare.portal.urls")),
]
