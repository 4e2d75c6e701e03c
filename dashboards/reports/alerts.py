"""The alerts standing for a scope's reps (rules in dashboards/alerts.py, written by the
nightly job): the latest run's alerts not yet dismissed, of the active reps the scope
counts today. The team page and My day show them, each in the reader's language
(`Alert.sentence`); the CSV, `report` and the API carry the kind, the figures (JSON) and the
message in the site's language (docs/contracts.md#stored-sentences)."""

from dataclasses import dataclass

from django.db.models import Max

from dashboards.models import Alert
from dashboards.reports.base import Report, Table
from dashboards.scope import Scope
from users.models import Role


@dataclass(frozen=True)
class Alerts:
    alerts: list[Alert]

    def __iter__(self):
        return iter(self.alerts)

    def __len__(self) -> int:
        return len(self.alerts)

    def rows(self) -> tuple[list[str], list[list]]:
        header = ["as_of", "rep", "rep_name", "kind", "message"]
        return header, [
            [a.as_of.isoformat(), a.rep.email, a.rep.full_name, a.kind, a.message]
            for a in self.alerts
        ]

    def table(self) -> Table:
        return Table(*self.rows(), text_columns=5)

    def as_json(self) -> dict:
        return {
            "alerts": [
                {
                    "as_of": a.as_of.isoformat(),
                    "rep": a.rep.email,
                    "kind": a.kind,
                    "params": a.params,
                    "message": a.message,
                }
                for a in self.alerts
            ]
        }


class AlertsReport(Report[Alerts]):
    """Alerts are the latest run's, whatever the day: no period. Two queries."""

    def __init__(self, scope: Scope):
        self.scope = scope

    def _calculate(self) -> Alerts:
        latest = Alert.objects.aggregate(latest=Max("as_of"))["latest"]
        if latest is None:
            return Alerts([])
        alerts = Alert.objects.filter(
            as_of=latest, dismissed_at__isnull=True, rep__is_active=True, rep__role=Role.REP
        )
        if self.scope.reps is not None:
            alerts = alerts.filter(rep_id__in=self.scope.reps)
        if self.scope.teams is not None:
            alerts = alerts.filter(rep__team_id__in=self.scope.teams)
        return Alerts(list(alerts.select_related("rep").order_by("kind", "rep__full_name")))
