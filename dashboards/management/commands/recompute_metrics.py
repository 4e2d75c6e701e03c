from datetime import date

from django.core.management.base import BaseCommand, CommandError

from dashboards import services


class Command(BaseCommand):
    help = "Recompute every rep's metric snapshots and alerts now (the nightly job, by hand)."

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
        self.stdout.write(
            self.style.SUCCESS(
                f"Recomputed {run.snapshots} snapshots as of {run.as_of} in "
                f"{run.duration_ms} ms ({run.queries} queries)."
            )
        )


def _parse(text):
    return date.fromisoformat(text) if text else None
