"""The role-aware navigation of base.html, built once here rather than in templates."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from users.models import Role

EVERYONE = {Role.REP, Role.MANAGER, Role.ADMIN}

# (label, url name, roles that see it, other path prefixes that belong to the same section).
NAVIGATION = [
    (_("My day"), "activities:my_day", {Role.REP}, ()),
    (_("Team dashboard"), "dashboards:team", {Role.MANAGER, Role.ADMIN}, ()),
    (_("Leaderboard"), "dashboards:leaderboard", EVERYONE, ()),
    (_("Pipeline"), "pipeline:board", EVERYONE, ("/opportunities/",)),
    (_("Prospects"), "pipeline:prospect_list", EVERYONE, ()),
    (_("Activity log"), "activities:log", EVERYONE, ()),
    (_("What if"), "dashboards:what_if", {Role.REP, Role.MANAGER}, ()),
    (_("Import"), "activities:import", {Role.MANAGER, Role.ADMIN}, ()),
    (_("Settings"), "users:settings", {Role.ADMIN}, ()),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    items = []
    for label, url_name, roles, prefixes in NAVIGATION:
        if user.role not in roles:
            continue
        url = reverse(url_name)
        active = request.path.startswith((url, *prefixes))
        items.append({"label": label, "url": url, "active": active})
    return {"nav_items": items}
