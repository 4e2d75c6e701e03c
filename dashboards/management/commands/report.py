"""`python manage.py report {funnel|leaderboard|plan|backsolve|forecast}` — docs/contracts.md.

The command line sees the whole organisation (an admin's scope). Bad options exit 2 with a
one-line message.
"""

import csv
import json
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from core.exports import safe_cell
from core.formats import money, percent
from dashboards.reports.backsolve import EXTRA_RATES, BacksolveReport
from dashboards.reports.by_name import REPORT_NAMES, default_period, report_json
from dashboards.reports.forecast import ForecastReport
from dashboards.reports.funnel import FunnelReport
from dashboards.reports.leaderboard import LeaderboardReport
from dashboards.reports.plan import PlanReport
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
        raise _usage(f"{name} “{text}” is not a number like 25000.00") from None
    if not value.is_finite() or value < 0:
        raise _usage(f"{name} must be a number ≥ 0")
    return value


def _growth(text: str) -> Decimal:
    try:
        value = Decimal(text.rstrip("%"))
    except InvalidOperation:
        raise _usage(f"--growth-pct “{text}” is not a percentage like 10 or -5") from None
    if not value.is_finite() or not -100 <= value <= 1000:
        raise _usage("--growth-pct must be between -100 and 1000")
    return value


def _date(text: str, name: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _usage(f"{name} “{text}” is not a date like 2026-11-23") from None


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
        backsolve_args = parser.add_argument_group("backsolve")
        backsolve_args.add_argument("--target-revenue")
        backsolve_args.add_argument("--target-deals", type=int)
        backsolve_args.add_argument("--basis-revenue")
        backsolve_args.add_argument("--growth-pct")
        backsolve_args.add_argument("--working-days", type=int)
        for name in (*RATE_NAMES, *EXTRA_RATES, "avg_deal_size"):
            backsolve_args.add_argument(f"--{name}", dest=f"rate_{name}")

    def handle(self, *args, **options):
        self.options = options
        period = self._period()
        team = self._team()
        rep = self._rep()
        if options["report"] == "leaderboard" and rep is not None:
            raise _usage("the leaderboard ranks a team (--team) or everyone; --rep is for funnel")
        if options["format"] == "json" and options["report"] in REPORT_NAMES:
            # The same function the API answers with (docs/api.md#reports).
            today = timezone.localdate()
            self._print_json(
                report_json(options["report"], self._scope(team, rep), period, today=today)
            )
            return
        handler = {
            "funnel": self._funnel,
            "leaderboard": self._leaderboard,
            "plan": self._plan,
            "backsolve": self._backsolve,
            "forecast": self._forecast,
        }[options["report"]]
        handler(period, team, rep)

    # Options --------------------------------------------------------------------------------

    def _period(self) -> periods.Period:
        o = self.options
        if o["period"] and (o["start"] or o["end"]):
            raise _usage("give either --period or --from/--to, not both")
        if o["start"] or o["end"]:
            if not (o["start"] and o["end"]):
                raise _usage("--from and --to go together")
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
            raise _usage(f"no team named “{name}”")
        return team

    def _rep(self) -> User | None:
        email = self.options["rep"]
        if not email:
            return None
        rep = User.objects.filter(email=canonical_email(email), role=Role.REP).first()
        if rep is None:
            raise _usage(f"no rep with the email {email}")
        return rep

    # Output ---------------------------------------------------------------------------------

    def _print_json(self, data):
        self.stdout.write(json.dumps(data, indent=2, ensure_ascii=False))

    def _print_table(self, header, rows, *, title="", text_columns=1):
        """Aligned columns: the first `text_columns` to the left, numbers to the right."""
        if title:
            self.stdout.write(title)
        cells = [[str(c) for c in header]] + [[str(c) for c in row] for row in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(header))]

        def line(row):
            parts = [
                value.ljust(width) if i < text_columns else value.rjust(width)
                for i, (value, width) in enumerate(zip(row, widths, strict=True))
            ]
            return "  ".join(parts).rstrip()

        self.stdout.write(line(cells[0]))
        self.stdout.write("  ".join("-" * w for w in widths))
        for row in cells[1:]:
            self.stdout.write(line(row))

    def _printed_for_tools(self, report) -> bool:
        """JSON or CSV straight from the report (its as_json and table), when asked for:
        the same rows as the page's download. False when people asked for a table."""
        fmt = self.options["format"]
        if fmt == "json":
            self._print_json(report.as_json())
        elif fmt == "csv":
            self._print_csv(*report.table())
        return fmt in ("json", "csv")

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

    def _funnel(self, period, team, rep):
        report = FunnelReport(self._scope(team, rep), period, today=timezone.localdate())
        if self._printed_for_tools(report):
            return
        header = [
            "rep",
            "calls",
            "connect",
            "mtgs held",
            "opps",
            "won",
            "lost",
            "revenue won",
            "win rate",
            "contact close",
            "call→mtg",
            "mtg→opp",
            "cycle days",
        ]
        rows = [
            self._funnel_row(member.rep.full_name, result) for member, result in report.rows
        ] + [self._funnel_row("Total", report.total)]
        self._print_table(
            header,
            rows,
            title=f"Funnel {period.label} ({period.start} to {period.end}, "
            f"{report.working_days} working days)\n",
        )

    @staticmethod
    def _funnel_row(name, result):
        c = result.counts
        return [
            name,
            c.calls,
            percent(result.connect_rate),
            c.meetings_held,
            c.opportunities_created,
            c.won,
            c.lost,
            money(c.revenue_won),
            percent(result.win_rate),
            percent(result.contact_close_rate),
            percent(result.call_to_meeting_rate),
            percent(result.meeting_to_opportunity_rate),
            "—" if result.sales_cycle_days is None else f"{result.sales_cycle_days:.1f}",
        ]

    def _leaderboard(self, period, team, rep):
        board = LeaderboardReport(self._scope(team, None), period, today=timezone.localdate())
        fmt = self.options["format"]
        if fmt == "json":
            self._print_json(board.as_json())
        elif fmt == "csv":
            self._print_csv(*board.rows())
        else:
            self._print_table(
                *board.table(),
                title=f"Leaderboard {period.label} ({period.start} to {period.end})\n",
                text_columns=3,
            )

    def _plan(self, period, team, rep):
        """Today's plan of each rep (the period options do not apply: a plan is for today)."""
        today = timezone.localdate()
        report = PlanReport(self._scope(team, rep), today=today)
        if self._printed_for_tools(report):
            return
        self._print_table(
            *report.summary(),
            title=f"Plans for {today} (this period's quota, per working day left)\n",
        )

    def _forecast(self, period, team, rep):
        report = ForecastReport(self._scope(team, rep), period, today=timezone.localdate())
        if self._printed_for_tools(report):
            return
        _header, rows = report.table()
        self._print_table(
            ["rep", "open", "weighted", "commit", "best case", "won", "quota", "coverage"],
            [
                [
                    row[0],
                    row[2],
                    row[3],
                    row[4],
                    row[5],
                    row[6],
                    row[7] or "—",
                    f"{row[9]:.2f}×" if row[9] != "" else "—",
                ]
                for row in rows
            ],
            title=f"Forecast {period.label} ({period.start} to {period.end}, "
            f"{report.working_days_left} working days left)\n",
        )
        count, _ = report.overdue
        if count:
            self.stdout.write(f"\n{count} open deals are overdue (expected to close before today).")

    def _backsolve(self, period, team, rep):
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
                "give --target-deals, --target-revenue, or --basis-revenue with --growth-pct"
            )
        if target.deals is not None and target.deals < 0:
            raise _usage("--target-deals cannot be negative")
        if o["working_days"] is not None and o["working_days"] < 1:
            raise _usage("--working-days must be at least 1")
        report = BacksolveReport(
            scope=self._scope(team, rep),
            period=period,
            target=target,
            today=timezone.localdate(),
            rates=explicit,
            working_days=o["working_days"],
        )
        if self._printed_for_tools(report):
            return
        result = report.result
        lines = []
        if result.target_revenue is not None:
            lines.append(f"Target revenue {money(result.target_revenue)}")
        if result.gap is not None:
            lines.append(f"  {money(result.gap)} above the basis of {money(target.basis_revenue)}")
        lines.append(f"Working days: {report.working_days}")
        _header, rows = report.table()
        self._print_table(
            ["step", "required", "per working day"], rows, title="\n".join(lines) + "\n"
        )
        if result.unknown_rates:
            self.stdout.write(
                "\nUnknown (no data; give them as options): " + ", ".join(result.unknown_rates)
            )
