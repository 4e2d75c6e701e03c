from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext
from tqdm import tqdm

from imports import registry
from imports.framework import run_import
from imports.reasons import note_text

PHASES = {"reading": "Reading", "checking": "Checking", "writing": "Writing"}


class _ProgressBars:
    """One tqdm bar per phase of the import, on a terminal only (tqdm's disable=None):
    a script or a cron job that runs the command sees nothing but the summary."""

    def __init__(self, stream):
        self.stream = stream
        self.phase = None
        self.bar = None

    def __call__(self, phase: str, done: int, total: int) -> None:
        if phase != self.phase:
            self.close()
            self.phase = phase
            self.bar = tqdm(
                total=total if phase != "reading" else None,
                desc=PHASES.get(phase, phase),
                unit=" rows",
                unit_scale=True,
                disable=None,
                file=self.stream,
                leave=False,
            )
        self.bar.update(done - self.bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class Command(BaseCommand):
    help = (
        "Import a CSV of users, prospects, opportunities or activities (UTF-8 or "
        "Windows-1252; commas, semicolons or tabs). The file imports whole or not at all; "
        "every bad row is reported as 'line N, column C: reason'."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=registry.kinds())
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="check the file and report; write nothing"
        )
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="create unknown teams, lead sources, stages and products",
        )

    def handle(self, *args, kind, file, dry_run, create_missing, **options):
        if not file.is_file():
            raise CommandError(f"cannot read {file}: no such file", returncode=2)
        bars = _ProgressBars(self.stderr)
        try:
            report = run_import(
                kind,
                file,
                by=None,
                dry_run=dry_run,
                create_missing=create_missing,
                progress=bars,
            )
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}", returncode=2) from error
        finally:
            bars.close()
        for note in report.notes:
            self.stderr.write(note_text(note))
        for line in report.messages:
            self.stderr.write(line)
        if report.error_count > len(report.errors):
            more = report.error_count - len(report.errors)
            self.stderr.write(gettext("… and %(count)s more errors.") % {"count": more})
        if not report.ok:
            raise CommandError(report.summary(), returncode=1)
        if dry_run:
            said = gettext("Dry run: %(summary)s") % {"summary": report.summary()}
        else:
            said = report.summary()
        self.stdout.write(self.style.SUCCESS(said))
