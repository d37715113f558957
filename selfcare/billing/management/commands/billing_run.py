from django.core.management.base import BaseCommand, CommandError

from selfcare.billing.services.billing_run import billing_run, parse_period
from selfcare.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Invoice a month (YYYY-MM) for every postpaid company. Running it again creates nothing new."

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the month to bill, e.g. 2026-10")

    def handle(self, *args, period, **options):
        try:
            run = billing_run(period=parse_period(period))
        except ApplicationError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(
            f"{run.period:%Y-%m}: {run.invoices_created} invoices created for {run.companies} companies"
            f" in {(run.finished_at - run.started_at).total_seconds():.1f} s"
        )
        if run.error:
            self.stderr.write(f"not invoiced:\n{run.error}")
