"""`python manage.py report {funnel|leaderboard|plan|backsolve|forecast}` — docs/contracts.md.

The command line sees the whole organisation (an admin's scope). Bad options exit 2 with a
one-line message.
"""

import csv
import json
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone, translation
from django.utils.translation import gettext

from core.exports import safe_cell
from dashboards.reports.backsolve import EXTRA_RATES, BacksolveReport
from dashboards.reports.base import with_currency
from dashboards.reports.by_name import default_period, report_for
from dashboards.scope import Scope
from quotas import calendar, periods
from quotas.backsolve import RATE_NAMES, RateError, Target, parse_rate
from users.models import Role, Team, User, canonical_email


def _usage(message: str) -> CommandError:
    return CommandError(message, returncode=2)


def _decimal(text: str, name: str) -> Decimal:
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise _usage(
            gettext("%(option)s “%(text)s” is not a number like 25000.00")
            % {"option": name, "text": text}
        ) from None
    if not value.is_finite() or value < 0:
        raise _usage(gettext("%(option)s must be a number ≥ 0") % {"option": name})
    return value


def _growth(text: str) -> Decimal:
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise _usage(
            gettext("--growth-pct “%(text)s” is not a percentage like 10 or -5") % {"text": text}
        ) from None
    if not value.is_finite() or not -100 <= value <= 1000:
        raise _usage(gettext("--growth-pct must be between -100 and 1000"))
    return value


def _date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _usage(
            gettext("%(option)s “%(text)s” is not a date like 2026-11-23")
            % {"option": name, "text": text}
        ) from None


def _width(text: str) -> int:
    """How many terminal columns `text` takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int, *, left: bool) -> str:
    padding = " " * (width - _width(text))
    return text + padding if left else padding + text


class Command(BaseCommand):
    help = (
        "Print the funnel, the leaderboard, today's plans, a goal backsolve or the forecast as a "
        "table, JSON or CSV."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "report", choices=["funnel", "leaderboard", "plan", "backsolve", "forecast"]
        )
        parser.add_argument("--period", help="2026-11, 2026-Q3 or 2026-W45 (default: this month)")
        parser.add_argument("--from", dest="start", help="first day, 2026-11-01")
        parser.add_argument("--to", dest="end", help="last day, 2026-11-30")
        parser.add_argument("--team", help="team name")
        parser.add_argument("--rep", help="rep email")
        parser.add_argument("--format", choices=["table", "json", "csv"], default="table")
        parser.add_argument(
            "--language",
            choices=[code for code, _name in settings.LANGUAGES],
            default=settings.LANGUAGE_CODE,
            help="the table's language (JSON and CSV are the same in every language)",
        )
        backsolve_args = parser.add_argument_group("backsolve")
        backsolve_args.add_argument("--target-revenue")
        backsolve_args.add_argument("--target-deals", type=int)
        backsolve_args.add_argument("--basis-revenue")
        backsolve_args.add_argument("--growth-pct")
        backsolve_args.add_argument("--working-days", type=int)
        for name in (*RATE_NAMES, *EXTRA_RATES, "avg_deal_size"):
            backsolve_args.add_argument(f"--{name}", dest=f"rate_{name}")

    def handle(self, *args, **options):
        # A table is read by a person in their language; JSON and CSV stay machine-formatted
        # whatever it is (docs/i18n.md#what-stays-machine-formatted).
        with translation.override(options["language"]):
            self._handle(options)

    def _handle(self, options):
        self.options = options
        period = self._period()
        team = self._team()
        rep = self._rep()
        if options["report"] == "leaderboard" and rep is not None:
            raise _usage(
                gettext("the leaderboard ranks a team (--team) or everyone; --rep is for funnel")
            )
        if options["report"] == "backsolve":
            report = self._backsolve(period, team, rep)
        else:
            # The same classes the pages and the API use (docs/api.md#reports); a plan is
            # today's, so the period options do not apply to it.
            report = report_for(
                options["report"], self._scope(team, rep), period, today=timezone.localdate()
            )
        self._print(report.calculate())

    # Options --------------------------------------------------------------------------------

    def _period(self) -> periods.Period:
        o = self.options
        if o["period"] and (o["start"] or o["end"]):
            raise _usage(gettext("give either --period or --from/--to, not both"))
        if o["start"] or o["end"]:
            if not (o["start"] and o["end"]):
                raise _usage(gettext("--from and --to go together"))
            try:
                return periods.custom(_date(o["start"], "--from"), _date(o["end"], "--to"))
            except periods.PeriodError as error:
                raise _usage(str(error)) from None
        if o["period"]:
            try:
                return calendar.parse_period(o["period"])
            except periods.PeriodError as error:
                raise _usage(str(error)) from None
        return default_period(timezone.localdate())

    def _team(self) -> Team | None:
        name = self.options["team"]
        if not name:
            return None
        team = Team.objects.filter(name__iexact=name).first()
        if team is None:
            raise _usage(gettext("no team named “%(name)s”") % {"name": name})
        return team

    def _rep(self) -> User | None:
        email = self.options["rep"]
        if not email:
            return None
        rep = User.objects.filter(email=canonical_email(email), role=Role.REP).first()
        if rep is None:
            raise _usage(gettext("no rep with the email %(email)s") % {"email": email})
        return rep

    # Output ---------------------------------------------------------------------------------

    def _print_json(self, data):
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))

    def _print_table(self, header, rows, *, title="", text_columns=1):
        """Aligned columns: the first `text_columns` to the left, numbers to the right."""
        if title:
            self.stdout.write(title)
        cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
        widths = [max(_width(row[i]) for row in cells) for i in range(len(header))]

        def line(row):
            parts = [
                _pad(value, width, left=i < text_columns)
                for i, (value, width) in enumerate(zip(row, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        self.stdout.write(line(cells[0]))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in cells[1:]:
            self.stdout.write(line(row))

    def _print(self, result):
        """The report's result in the format asked for: its JSON, its CSV rows (the same as
        the page's download) or its table for people."""
        fmt = self.options["format"]
        if fmt == "json":
            self._print_json(with_currency(result.as_json()))
        elif fmt == "csv":
            self._print_csv(*result.rows())
        else:
            table = result.table()
            self._print_table(
                table.header, table.rows, title=table.title, text_columns=table.text_columns
            )
            for note in table.notes:
                self.stdout.write(note)

    def _print_csv(self, header, rows):
        writer = csv.writer(self.stdout)
        writer.writerow(header)
        writer.writerows([safe_cell(cell) for cell in row] for row in rows)

    # Reports --------------------------------------------------------------------------------

    def _scope(self, team, rep) -> Scope:
        """The command line sees the whole organisation (docs/contracts.md)."""
        if rep is not None:
            return Scope.of_rep(rep)
        if team is not None:
            return Scope.team(team)
        return Scope.organisation()

    def _backsolve(self, period, team, rep) -> BacksolveReport:
        o = self.options
        try:
            explicit = {
                name: parse_rate(o[f"rate_{name}"])
                for name in RATE_NAMES
                if o[f"rate_{name}"] is not None
            }
        except RateError as error:
            raise _usage(str(error)) from None
        for name in EXTRA_RATES:
            if o[f"rate_{name}"] is not None:
                explicit[name] = float(_decimal(o[f"rate_{name}"], f"--{name}"))
        if o["rate_avg_deal_size"] is not None:
            explicit["avg_deal_size"] = _decimal(o["rate_avg_deal_size"], "--avg_deal_size")
        target = Target(
            revenue=_decimal(o["target_revenue"], "--target-revenue")
            if o["target_revenue"]
            else None,
            deals=o["target_deals"],
            basis_revenue=_decimal(o["basis_revenue"], "--basis-revenue")
            if o["basis_revenue"]
            else None,
            growth_pct=_growth(o["growth_pct"]) if o["growth_pct"] else None,
        )
        if target.deals is None and target.resolved_revenue is None:
            raise _usage(
                gettext(
                    "give --target-deals, --target-revenue, or --basis-revenue with --growth-pct"
                )
            )
        if target.deals is not None and target.deals < 0:
            raise _usage(gettext("--target-deals cannot be negative"))
        if o["working_days"] is not None and o["working_days"] < 1:
            raise _usage(gettext("--working-days must be at least 1"))
        return BacksolveReport(
            self._scope(team, rep),
            period,
            today=timezone.localdate(),
            target=target,
            rates=explicit,
            working_days=o["working_days"],
        )
