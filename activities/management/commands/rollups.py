"""`python manage.py rollups --verify | --rebuild [--from D --to D]`.

--verify compares the daily rollups with the activity log and exits 1 listing the days
that disagree; --rebuild recomputes them (and every closed deal's touches before close)
from the log. The nightly job runs the check and logs any drift as an error.
"""

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from activities.rollups import rollups_rebuild, rollups_verify, touches_refresh_all


def _day(text: str | None, option: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(
            f"{option} “{text}” is not a date like 2026-11-23", returncode=2
        ) from None


class Command(BaseCommand):
    help = "Check the daily rollups against the activity log, or rebuild them from it."

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group(required=True)
        action.add_argument("--verify", action="store_true", help="report drift; exit 1 if any")
        action.add_argument("--rebuild", action="store_true", help="recompute from the log")
        parser.add_argument("--from", dest="start", help="first day, 2026-01-01 (default: all)")
        parser.add_argument("--to", dest="end", help="last day (default: all)")

    def handle(self, *args, verify, rebuild, start, end, **options):
        start, end = _day(start, "--from"), _day(end, "--to")
        if start and end and end < start:
            raise CommandError("--to comes before --from", returncode=2)
        if rebuild:
            with transaction.atomic():
                rows = rollups_rebuild(start=start, end=end)
                deals = touches_refresh_all()
            self.stdout.write(f"Rebuilt {rows} rollup rows and the touches of {deals} deals.")
            return
        drift = rollups_verify(start=start, end=end)
        if not drift:
            self.stdout.write("The rollups agree with the activity log.")
            return
        for line in drift.describe(limit=50):
            self.stdout.write(line)
        raise CommandError(
            f"{len(drift.rows)} rep-days disagree with the activity log; "
            "run `manage.py rollups --rebuild` to repair them.",
            returncode=1,
        )
