from django.conf import settings
from django.core.management.base import BaseCommand

from selfcare.usage.retention import retention_start, usage_detail_drop


class Command(BaseCommand):
    help = "Drop usage record detail older than the retention window (per-day totals are kept)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--months", type=int, default=settings.USAGE_RETENTION_MONTHS,
            help="months of detail kept before the current one (default USAGE_RETENTION_MONTHS)",
        )  # fmt: skip

    def handle(self, *args, months, **options):
        dropped = usage_detail_drop(months=months)
        self.stdout.write(
            f"Detail before {retention_start(months).date()} dropped: "
            f"{len(dropped.partitions)} monthly partitions, {dropped.rows} other rows."
        )
