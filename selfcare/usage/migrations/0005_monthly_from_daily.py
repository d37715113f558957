from django.db import migrations
from django.db.models import Sum
from django.db.models.functions import TruncMonth

FIELDS = ["count", "duration_seconds", "volume_bytes", "roaming_volume_bytes", "cost"]


def fill(apps, schema_editor):
    # The per-month totals of the traffic already there, summed from its per-day totals.
    DailyUsage = apps.get_model("usage", "DailyUsage")
    MonthlyUsage = apps.get_model("usage", "MonthlyUsage")
    sums = (
        DailyUsage.objects.annotate(month=TruncMonth("day"))
        .values("line_id", "month", "category")
        .annotate(**{name: Sum(name) for name in FIELDS})
        .order_by()
    )
    rows = (
        MonthlyUsage(line_id=r["line_id"], month=r["month"], category=r["category"], **{n: r[n] for n in FIELDS})
        for r in sums.iterator(chunk_size=5_000)
    )
    MonthlyUsage.objects.bulk_create(rows, batch_size=5_000)


class Migration(migrations.Migration):
    dependencies = [("usage", "0004_monthlyusage")]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
