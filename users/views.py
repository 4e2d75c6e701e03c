"""Sign-in landing and the admin's settings pages for users and teams."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_ratelimit.core import is_ratelimited

from core.http import render_page
from users import organisation, selectors, services
from users.access import admin_required, home_url_name
from users.auth import client_ip
from users.forms import (
    DeactivateForm,
    HandOverForm,
    OrganisationForm,
    PasswordResetForm,
    ProfileForm,
    TeamForm,
    UserFilterForm,
    UserForm,
)
from users.models import Role, Team, User, canonical_email

USERS_PER_PAGE = 50


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset page, rate-limited: each request sends an email, so a client address
    and an account get only so many an hour (PASSWORD_RESET_RATE_PER_*). The account is
    counted by the address typed, known or not, so the answer says nothing about who
    exists."""

    form_class = PasswordResetForm

    def form_valid(self, form):
        email = canonical_email(form.cleaned_data["email"])
        limits = [
            ("password-reset-address", settings.PASSWORD_RESET_RATE_PER_ADDRESS, client_ip),
            ("password-reset-account", settings.PASSWORD_RESET_RATE_PER_ACCOUNT, lambda _: email),
        ]
        # Every limit counts this request, so that neither can be used to probe the other.
        over = [
            is_ratelimited(
                self.request,
                group=group,
                key=lambda _group, request, who=who: who(request) or "unknown",
                rate=rate,
                increment=True,
            )
            for group, rate, who in limits
        ]
        if any(over):
            form.add_error(
                None,
                _(
                    "Too many password-reset requests from here or for this address. "
                    "Try again in an hour, or ask an admin to send you the email."
                ),
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        return super().form_valid(form)


@login_required
def home(request):
    return redirect(home_url_name(request.user))


@login_required
def profile(request):
    """Anyone's own page: their name and the language of their pages
    (docs/i18n.md#choosing-the-language)."""
    user = request.user
    form = ProfileForm(
        request.POST or None, initial={"full_name": user.full_name, "language": user.language}
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.profile_update(user=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # The confirmation reads in the language just chosen.
            translation.activate(user.language or translation.get_language_from_request(request))
            messages.success(request, _("Your profile is saved."))
            response = redirect("profile")
            # A chosen language is written to the language cookie by users.middleware; following
            # the browser again forgets the sign-in page's choice too.
            if not user.language:
                response.delete_cookie(
                    settings.LANGUAGE_COOKIE_NAME,
                    path=settings.LANGUAGE_COOKIE_PATH,
                    domain=settings.LANGUAGE_COOKIE_DOMAIN,
                )
            return response
    return render(request, "users/profile.html", {"form": form})


@admin_required
def settings_home(request):
    context = {**selectors.settings_counts(), "currency": organisation.currency()}
    return render(request, "users/settings_home.html", context)


@admin_required
def organisation_edit(request):
    """Settings → Organisation: the currency amounts are in (docs/contracts.md#currency),
    and who changed it when."""
    default = organisation.default_currency()
    saved = selectors.organisation()
    form = OrganisationForm(
        request.POST or None, initial={"currency": saved.currency}, default_currency=default
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.organisation_update(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Saved: amounts are in %(currency)s.")
                % {"currency": form.cleaned_data["currency"] or default},
            )
            return redirect("users:organisation")
    context = {
        "form": form,
        "default_currency": default,
        "changes": selectors.organisation_changes(),
    }
    return render(request, "users/organisation.html", context)


@admin_required
def user_list(request):
    filters = UserFilterForm(request.GET or None)
    query, role, team, status = "", "", None, "active"
    if filters.is_valid():
        query = filters.cleaned_data["q"].strip()
        role = filters.cleaned_data["role"]
        team = filters.cleaned_data["team"]
        status = filters.cleaned_data["status"]
    active = {"active": True, "inactive": False}.get(status)
    users = selectors.users_for_admin(
        request.user, query=query, role=role, team_id=team.pk if team else None, active=active
    )
    page = Paginator(users, USERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"filters": filters, "page": page}
    return render_page(request, "users/user_list.html", context, partial="results")


@admin_required
def user_create(request):
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            user = services.user_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _(
                    "%(name)s can now sign in once they set a password with "
                    "'Forgot your password?' on the sign-in page, or use 'Send password "
                    "email' below."
                )
                % {"name": user.full_name},
            )
            return redirect("users:user_edit", pk=user.pk)
    return render(request, "users/user_form.html", {"form": form, "subject": None})


@admin_required
def user_edit(request, pk):
    subject = get_object_or_404(User.objects.select_related("team"), pk=pk)
    form = UserForm(request.POST or None, instance=subject)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update(by=request.user, user=subject, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": subject.full_name})
            return redirect("users:user_list")
    context = {
        "form": form,
        "subject": subject,
        "memberships": selectors.memberships_of(request.user, subject),
        **_leaving_context(subject),
    }
    return render(request, "users/user_form.html", context)


def _leaving_context(subject, **forms):
    """The deactivate form (with whom to hand the work to) or, once they left, the hand-over
    form, and what they hold (docs/operations.md#when-a-rep-leaves)."""
    if subject.role != Role.REP:
        return {"deactivate": forms.get("deactivate") or DeactivateForm()}
    candidates = selectors.hand_over_candidates(subject)
    return {
        "deactivate": forms.get("deactivate") or DeactivateForm(candidates=candidates),
        "hand_over": forms.get("hand_over") or HandOverForm(candidates=candidates),
        "work_held": selectors.work_held_by(subject),
        "has_candidates": candidates.exists(),
    }


@require_POST
@admin_required
def user_set_active(request, pk):
    subject = get_object_or_404(User, pk=pk)
    active = request.POST.get("active") == "1"
    form = DeactivateForm(request.POST, candidates=selectors.hand_over_candidates(subject))
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.user_set_active(
            by=request.user,
            user=subject,
            active=active,
            last_day=form.cleaned_data["last_day"],
            hand_to=form.cleaned_data["hand_to"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if active:
            messages.success(request, _("%(name)s is reactivated.") % {"name": subject.full_name})
        elif form.cleaned_data["hand_to"]:
            messages.success(
                request,
                _("%(name)s is deactivated; their work is handed to %(to)s.")
                % {"name": subject.full_name, "to": form.cleaned_data["hand_to"].full_name},
            )
        else:
            messages.success(request, _("%(name)s is deactivated.") % {"name": subject.full_name})
    return redirect("users:user_edit", pk=subject.pk)


@require_POST
@admin_required
def user_hand_over(request, pk):
    """Hand a deactivated rep's open work to a rep of their team (the team page's
    "Unassigned" card links here)."""
    subject = get_object_or_404(User, pk=pk, role=Role.REP)
    form = HandOverForm(request.POST, candidates=selectors.hand_over_candidates(subject))
    try:
        if not form.is_valid():
            raise ValidationError([e for errors in form.errors.values() for e in errors])
        services.user_hand_over(by=request.user, rep=subject, to=form.cleaned_data["hand_to"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(name)s's work is handed to %(to)s.")
            % {"name": subject.full_name, "to": form.cleaned_data["hand_to"].full_name},
        )
    return redirect("users:user_edit", pk=subject.pk)


@require_POST
@admin_required
def user_send_password_email(request, pk):
    subject = get_object_or_404(User, pk=pk, is_active=True)
    form = PasswordResetForm({"email": subject.email})
    form.is_valid()
    form.save(request=request, use_https=request.is_secure())
    messages.success(
        request, _("Sent a set-your-password email to %(email)s.") % {"email": subject.email}
    )
    return redirect("users:user_edit", pk=subject.pk)


@admin_required
def team_list(request):
    teams = selectors.teams_for_admin(request.user)
    return render(request, "users/team_list.html", {"teams": teams})


@admin_required
def team_create(request):
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Created the team %(team)s.") % {"team": team.name})
            return redirect("users:team_list")
    return render(request, "users/team_form.html", {"form": form, "team": None})


@admin_required
def team_edit(request, pk):
    team = get_object_or_404(Team, pk=pk)
    form = TeamForm(request.POST or None, instance=team)
    if request.method == "POST" and form.is_valid():
        try:
            services.team_update(by=request.user, team=team, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved the team %(team)s.") % {"team": team.name})
            return redirect("users:team_list")
    reps = selectors.active_reps_of(team)
    return render(request, "users/team_form.html", {"form": form, "team": team, "reps": reps})


@require_POST
@admin_required
def team_set_active(request, pk):
    team = get_object_or_404(Team, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        services.team_set_active(by=request.user, team=team, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = _("%(team)s is reactivated.") if active else _("%(team)s is deactivated.")
        messages.success(request, done % {"team": team.name})
    return redirect("users:team_edit", pk=team.pk)
