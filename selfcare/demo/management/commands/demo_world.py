from django.core.management.base import BaseCommand

from selfcare.demo import world


class Command(BaseCommand):
    help = "Build the demo world (catalogue, three companies, traffic, invoices, one user per profile)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=world.DEFAULT_SEED)
        parser.add_argument("--large-lines", type=int, default=world.DEFAULT_LARGE_LINES,
                            help="lines of the large company")  # fmt: skip
        parser.add_argument("--detail-lines", type=int, default=world.DEFAULT_DETAIL_LINES,
                            help="lines of the large company with usage records (others: daily totals)")  # fmt: skip
        parser.add_argument("--days", type=int, default=world.DEFAULT_DAYS, help="days of traffic, ending now")
        parser.add_argument("--reset", action="store_true", help="delete the demo companies and build them again")
        parser.add_argument("--logins", action="store_true", help="only print the demo logins")
        parser.add_argument("--quiet", action="store_true", help="do not print the demo logins")

    def handle(self, *args, **options):
        if not options["logins"]:
            self._build(options)
        if options["quiet"]:
            return
        self.stdout.write("Demo logins (profile, username, password):")
        for profile, username, password in world.demo_logins():
            self.stdout.write(f"  {profile:<20} {username:<16} {password}")

    def _build(self, options):
        if options["reset"]:
            deleted = world.delete_demo_world()
            self.stdout.write(f"Deleted {deleted} demo companies.")
        counts = world.build_demo_world(
            seed=options["seed"],
            large_lines=options["large_lines"],
            detail_lines=options["detail_lines"],
            days=options["days"],
            log=lambda message: self.stdout.write(f"  {message}") if options["verbosity"] > 1 else None,
        )
        if counts is None:
            self.stdout.write("The demo world already exists: nothing to do (use --reset to rebuild it).")
            return
        summary = ", ".join(f"{value:,} {name}" for name, value in counts.items())
        self.stdout.write(self.style.SUCCESS(f"Demo world built: {summary}."))
