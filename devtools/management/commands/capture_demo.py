from datetime import date

from django.core.management.base import BaseCommand, CommandError

from devtools import capture


class Command(BaseCommand):
    help = (
        "Replay one day of the demo reps' email and call events through the API's event "
        "endpoints, as an email service and a dialer would post them (again: no change)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--day", help="the day to replay, YYYY-MM-DD (default today)")
        parser.add_argument("--seed", type=int, default=1, help="random seed for the events")

    def handle(self, *args, day, seed, **options):
        try:
            chosen = date.fromisoformat(day) if day else None
        except ValueError as error:
            raise CommandError(f"--day is a date as YYYY-MM-DD, not {day!r}.") from error
        result = capture.replay_day(day=chosen, seed=seed, quiet=options["verbosity"] < 1)
        self.stdout.write(
            self.style.SUCCESS(
                f"Replayed {result.email_events:,} email events and {result.call_events:,} "
                f"call events through /api/v1/events/ as {capture.INTEGRATION_EMAIL}."
            )
        )
