"""Who may open what. Views declare the roles they serve; everything else answers 403."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from users.models import Role


def role_required(*roles):
    """Let signed-in users with one of `roles` through; others get 403, anonymous users the
    login page."""
    allowed = {Role(r) for r in roles}

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if request.user.role not in allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


admin_required = role_required(Role.ADMIN)


def home_url_name(user):
    """The page each role lands on after signing in."""
    return {
        Role.REP: "activities:my_day",
        Role.MANAGER: "dashboards:team",
        Role.ADMIN: "users:settings",
    }[Role(user.role)]
