"""The role-aware navigation of base.html, built once here rather than in templates."""

from django.urls import reverse

from salestrack.users.models import Role

# (label, url name, roles that see it). Later capabilities add their pages here.
NAVIGATION = [
    ("My day", "activities:my_day", {Role.REP}),
    ("Team dashboard", "dashboards:team", {Role.MANAGER, Role.ADMIN}),
    ("Activity log", "activities:log", {Role.REP, Role.MANAGER, Role.ADMIN}),
    ("Settings", "users:settings", {Role.ADMIN}),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    current = request.resolver_match
    current_namespace = current.namespace if current else ""
    current_name = current.view_name if current else ""
    items = []
    for label, url_name, roles in NAVIGATION:
        if user.role not in roles:
            continue
        namespace = url_name.split(":")[0]
        active = current_name == url_name or (namespace == "users" and current_namespace == "users")
        items.append({"label": label, "url": reverse(url_name), "active": active})
    return {"nav_items": items}
