from django.shortcuts import render

from dashboards import selectors
from salestrack.users.access import role_required
from salestrack.users.models import Role


@role_required(Role.MANAGER, Role.ADMIN)
def team_dashboard(request):
    """A manager's home: the team's funnel, trends and who needs help. Until the metrics
    land it lists the teams in view and what this page will show."""
    teams = selectors.teams_with_rep_counts(request.user)
    return render(request, "dashboards/team.html", {"teams": teams})
