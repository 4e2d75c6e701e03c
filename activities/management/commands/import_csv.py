from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from activities.imports import KINDS, run_import


class Command(BaseCommand):
    help = (
        "Import a UTF-8 CSV of users, prospects, opportunities or activities. The file imports "
        "whole or not at all; every bad row is reported as 'line N, column C: reason'."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
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
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}", returncode=2) from error
        report = run_import(kind, data, by=None, dry_run=dry_run, create_missing=create_missing)
        for line in report.errors:
            self.stderr.write(line)
        if not report.ok:
            raise CommandError(report.summary(), returncode=1)
        prefix = "Dry run: " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"{prefix}{report.summary()}"))
