"""Settings → API tokens (docs/api.md#tokens): create (the token is shown once), list,
revoke. Everyone has the page for their own tokens; an admin sees and manages everyone's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import selectors, services
from api.forms import TokenForm


@login_required
def token_list(request):
    users = selectors.users_who_may_get_tokens(request.user)
    # "Me" is the form's first choice: the admin is not offered a second time by name.
    others = users.exclude(pk=request.user.pk) if users is not None else None
    form = TokenForm(request.POST or None, users=others)
    new = None
    if request.method == "POST" and form.is_valid():
        try:
            new = services.token_create(
                by=request.user,
                user=form.chosen_user(request.user),
                name=form.cleaned_data["name"],
                scope=form.cleaned_data["scope"],
                expires_in_days=form.cleaned_data["expires_in_days"],
            )
        except ValidationError as error:
            for field, errors in error.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            form = TokenForm(users=others)
    context = {
        "form": form,
        "new": new,  # rendered on this answer only: the token is never stored
        "tokens": selectors.tokens_visible_to(request.user),
        "is_admin": users is not None,
    }
    response = render(request, "api/tokens.html", context, status=201 if new else 200)
    if new:
        response["Cache-Control"] = "no-store"
    return response


@require_POST
@login_required
def token_revoke(request, pk):
    token = get_object_or_404(selectors.tokens_visible_to(request.user), pk=pk)
    services.token_revoke(by=request.user, token=token)
    messages.success(request, _("Revoked the token “%(name)s”.") % {"name": token.name})
    return redirect("api:tokens")
