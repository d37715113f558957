import pytest
from django.contrib import admin
from django.urls import reverse

from tests.factories import SimFactory


@pytest.mark.django_db
def test_every_back_office_list_and_form_opens(client):
    from selfcare.accounts.models import User

    sim = SimFactory(pin="9876", puk="55554444")
    client.force_login(User.objects.create_superuser("backoffice", password="x"))
    for model in admin.site._registry:
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        assert client.get(changelist).status_code == 200, changelist
        assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code in (200, 403)
    line_page = client.get(reverse("admin:lines_line_change", args=[sim.line.pk])).content.decode()
    assert sim.iccid in line_page
    assert "9876" not in line_page and "55554444" not in line_page
