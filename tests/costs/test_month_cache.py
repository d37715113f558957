"""The month's costs are cached, and never served stale: ingestion and assignments renew them."""

import io

import pytest
from django.urls import reverse
from django.utils import timezone

from selfcare.customers.models import CostCentre
from selfcare.usage.records import COLUMNS
from selfcare.usage.services import usage_file_import
from tests.factories import LineFactory

pytestmark = pytest.mark.django_db


def _deliver(record_id, number, cost):
    started = timezone.localtime().replace(hour=0, minute=1, second=0, microsecond=0).isoformat()
    text = ",".join(COLUMNS) + f"\n{record_id},{number},{started},other,out,,0,0,,{cost}\n"
    return usage_file_import(file=io.BytesIO(text.encode()), name="cdr.csv")


def test_new_traffic_and_a_new_assignment_show_at_once(manager_client, company):
    line = LineFactory(company=company, number="+393471234567")
    url = reverse("costs:month")
    _deliver("a", line.number, "2.5000")
    first = manager_client.get(url).context["summary"]
    assert first.total.total == pytest.approx(2.5)
    assert manager_client.get(url).context["summary"].total.total == first.total.total  # served again

    _deliver("b", line.number, "1.0000")
    assert manager_client.get(url).context["summary"].total.total == pytest.approx(3.5)

    centre = CostCentre.objects.create(company=company, code="VEND", name="Vendite")
    line.cost_centre = centre
    line.save()
    centres = {c.code: c.costs.total for c in manager_client.get(url).context["summary"].centres}
    assert centres["VEND"] == pytest.approx(3.5)
