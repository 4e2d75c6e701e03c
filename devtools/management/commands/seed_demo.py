import io
import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from devtools import capture, demo


def positive_int(value):
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Create (or refresh) a reproducible demo organisation and print its logins. "
        "Safe to run again: people and teams are matched on email and name."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--reps", type=positive_int, default=len(demo.REPS), help="number of reps"
        )
        parser.add_argument(
            "--days",
            type=positive_int,
            default=None,
            help="days of activity history (default: 60, or more to cover the last two "
            "finished months)",
        )
        parser.add_argument("--seed", type=int, default=1, help="random seed for generated data")
        parser.add_argument(
            "--language",
            choices=demo.language_choices(),
            default="",
            help="every demo person's language (es, zh-hans, en-gb), or by-team: North in "
            "Spanish, South in Chinese (default: none, each browser decides)",
        )
        parser.add_argument(
            "--no-capture",
            action="store_true",
            help="skip replaying today's email and call events through the API",
        )

    def handle(self, *args, reps, days, seed, no_capture, language, **options):
        if reps < 2:
            raise CommandError("--reps must be at least 2 (the demo has two teams).")
        today = timezone.localdate()
        days = days or demo.default_days(today)
        logins = demo.seed_organisation(reps=reps, seed=seed, history_days=days)
        languages = demo.seed_languages(language)
        counts = demo.seed_activity(days=days, seed=seed)
        quotas = demo.seed_targets(history_days=days)
        job = demo.seed_import_job()
        # What the email service and the dialer report today arrives through the API, as
        # it would in production (make capture-demo replays it).
        replayed = None
        if not no_capture:
            replayed = capture.replay_day(seed=seed, quiet=options["verbosity"] < 1)
        demo.seed_engagement_stories()
        # The nightly job as it ran on each Monday of the history since the first of the
        # last two finished months (it keeps the week's forecast on Mondays: their forecast
        # against actual), then today's, so that plans and alerts are there from the first
        # page.
        started = time.monotonic()
        for monday in demo.past_mondays(today, days):
            call_command("recompute_metrics", "--date", monday.isoformat(), stdout=io.StringIO())
        call_command("recompute_metrics", stdout=io.StringIO())
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo organisation ready: {reps} reps, {days} days of history — "
                f"{counts.get('prospects', 0)} prospects, {counts.get('opportunities', 0)} "
                f"opportunities, {counts.get('activities', 0)} activity rows, "
                f"{quotas} monthly quotas; plans, alerts and the Mondays' forecasts written "
                f"({seconds:.1f} s)."
            )
        )
        if job is not None:
            self.stdout.write(
                f"{job.created_by.full_name} imported {job.file_name}: {job.summary} "
                f"(/import/{job.token}/)."
            )
        if replayed is not None:
            self.stdout.write(
                f"Captured today through the API: {replayed.email_events:,} email events and "
                f"{replayed.call_events:,} call events (make capture-demo replays them)."
            )
        self.stdout.write(f"\nDemo logins (password for every account: {demo.DEMO_PASSWORD})\n")
        if language:
            names = dict(settings.LANGUAGES)
            said = ", ".join(
                f"{team} in {names.get(code, 'the browser’s language')}"
                for team, code in languages.items()
            )
            self.stdout.write(f"Pages read: {said}.\n")
        width = max(len(login.email) for login in logins)
        shown = logins if len(logins) <= 20 else logins[:20]
        for login in shown:
            self.stdout.write(f"  {login.email:<{width}}  {login.role:<9}  {login.team}")
        if len(shown) < len(logins):
            more = len(logins) - len(shown)
            self.stdout.write(f"  … and {more} more, with the same password")
