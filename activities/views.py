from django.shortcuts import render

from salestrack.users.access import role_required
from salestrack.users.models import Role


@role_required(Role.REP, Role.ADMIN)
def my_day(request):
    """A rep's home: today's logging and progress. Until the activity log lands it says who
    you are and what this page will do."""
    return render(request, "activities/my_day.html")
