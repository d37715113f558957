from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from selfcare.accounts.services.legacy import legacy_users_import
from selfcare.core.errors import ApplicationError


class Command(BaseCommand):
    help = (
        "Import the TRE heritage portal's accounts with their password hashes from a CSV file "
        "(format in docs/legacy-accounts.md). Exits with status 1 when any row was refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV file, UTF-8, comma or semicolon separated, header first")
        parser.add_argument("--dry-run", action="store_true", help="check every row, write nothing")

    def handle(self, *args, **options):
        try:
            with open(options["file"], encoding="utf-8-sig", newline="") as stream:
                report = legacy_users_import(stream=stream, dry_run=options["dry_run"])
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(file)s: %(reason)s") % {"file": options["file"], "reason": exc.strerror}
            ) from None
        except UnicodeDecodeError:
            raise CommandError(_("The file is not UTF-8 text.")) from None
        except ApplicationError as exc:
            raise CommandError(exc.message) from None

        if options["verbosity"] > 1:
            for row, username in report.skipped:
                self.stdout.write(
                    _("row %(row)d: %(username)s already imported, skipped") % {"row": row, "username": username}
                )
        for error in report.errors:
            self.stderr.write(_("row %(row)d: %(reason)s") % {"row": error.row, "reason": error.message})
        created = len(report.created)
        summary = (
            ngettext("%(count)d account would be imported", "%(count)d accounts would be imported", created)
            if report.dry_run
            else ngettext("%(count)d account imported", "%(count)d accounts imported", created)
        ) % {"count": created}
        summary += ", " + _("%(skipped)d already present (skipped), %(refused)d rows refused.") % {
            "skipped": len(report.skipped),
            "refused": len(report.errors),
        }
        if report.dry_run:
            summary += " " + _("Dry run: nothing was written.")
        self.stdout.write(summary)
        if report.errors:
            raise CommandError(
                ngettext("%(count)d row was not imported.", "%(count)d rows were not imported.", len(report.errors))
                % {"count": len(report.errors)}
            )
