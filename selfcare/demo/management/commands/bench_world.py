import time

from django.core.management.base import BaseCommand

from selfcare.demo import bench


class Command(BaseCommand):
    help = "Build the benchmark company: many lines with DATA.md's traffic volumes (PostgreSQL: server-side)."

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=bench.DEFAULT_LINES)
        parser.add_argument("--days", type=int, default=bench.DEFAULT_DAYS)
        parser.add_argument("--seed", type=int, default=bench.DEFAULT_SEED)
        parser.add_argument("--reset", action="store_true", help="delete the benchmark company and build it again")

    def handle(self, *args, **options):
        started = time.perf_counter()
        if options["reset"]:
            bench.delete_bench_world()
            self.stdout.write(f"Deleted the benchmark company in {time.perf_counter() - started:.1f} s.")
        stats = bench.build_bench_world(
            lines=options["lines"],
            days=options["days"],
            seed=options["seed"],
            log=lambda message: self.stdout.write(f"  {message}") if options["verbosity"] > 1 else None,
        )
        if stats is None:
            self.stdout.write("The benchmark world already exists: nothing to do (use --reset to rebuild it).")
            return
        for table, stat in stats.items():
            self.stdout.write(
                f"{table:<38} {stat.rows:>12,} rows {stat.seconds:>8.1f} s {stat.per_second:>11,.0f} rows/s"
            )
        self.stdout.write(self.style.SUCCESS(f"Benchmark world built in {time.perf_counter() - started:.1f} s."))
