from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from selfcare.usage.models import UsageImport
from selfcare.usage.records import COLUMNS
from selfcare.usage.services import usage_file_import


class Command(BaseCommand):
    help = (
        "Import usage records (CDRs) from CSV files: UTF-8, comma-separated, header row "
        + ",".join(COLUMNS)
        + ". A record already stored is skipped; invalid rows are reported and the rest lands."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", type=Path)
        parser.add_argument("--show-errors", type=int, default=20, help="rejected rows to print per file")

    def handle(self, *args, files, show_errors, **options):
        failed = 0
        for path in files:
            if not path.is_file():
                raise CommandError(f"{path}: no such file")
            with path.open("rb") as file:
                report = usage_file_import(file=file, name=path.name)
            self.stdout.write(
                f"{path.name}: {report.get_status_display()} — {report.rows} rows, {report.stored} stored, "
                f"{report.duplicates} already received, {report.rejected} rejected"
            )
            if report.message:
                self.stderr.write(f"{path.name}: {report.message}")
            for error in report.errors[:show_errors]:
                self.stderr.write(f"{path.name}, row {error['row']}: {error['reason']}")
            failed += report.status == UsageImport.Status.FAILED
        if failed:
            raise CommandError(f"{failed} file(s) refused")
