from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dashboards import services


class Command(BaseCommand):
    help = (
        "The nightly job, by hand: check the daily rollups, then write every rep's plan and "
        "the day's alerts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="compute as of this day (default: today), 2026-11-23")

    def handle(self, *args, date: str | None = None, **options):
        try:
            as_of = _parse(date)
        except ValueError:
            raise CommandError(
                f"--date “{date}” is not a date like 2026-11-23", returncode=2
            ) from None
        run = services.nightly_recompute(as_of=as_of)
        if run.rollup_drift:
            self.stderr.write(
                f"{run.rollup_drift} rep-days of rollups disagreed with the activity log "
                "and were repaired; see the error log."
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Wrote {run.snapshots} plans as of {run.as_of} in "
                f"{run.duration_ms} ms ({run.queries} queries)."
            )
        )


def _parse(text):
    return date.fromisoformat(text) if text else None
