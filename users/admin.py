from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from core.validators import validate_plain_email
from users.models import Team, TeamMembership, User


class PlainEmailMixin:
    """The Django admin refuses a look-alike address as our pages do
    (docs/operations.md#email-addresses)."""

    def clean_email(self):
        validate_plain_email(self.cleaned_data["email"])
        return self.cleaned_data["email"]


class UserCreationForm(PlainEmailMixin, auth_forms.AdminUserCreationForm):
    class Meta:
        model = User
        fields = ["email", "full_name", "role", "team"]


class UserChangeForm(PlainEmailMixin, auth_forms.UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class AdminLoginForm(AdminAuthenticationForm):
    """Django's username field folds what is typed with NFKC, so a Kelvin sign would arrive
    as a K: the look-alike is refused on what was typed, before any account is tried."""

    def clean_username(self):
        validate_plain_email(self.data.get("username", ""))
        return self.cleaned_data["username"]


admin.site.login_form = AdminLoginForm


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    add_form = UserCreationForm
    form = UserChangeForm
    ordering = ["full_name"]
    list_display = ["email", "full_name", "role", "team", "is_active", "is_staff"]
    list_filter = ["role", "team", "is_active", "is_staff"]
    search_fields = ["email", "full_name"]
    list_select_related = ["team"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Person"), {"fields": ["full_name", "role", "team", "joined_on", "left_on"]}),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "email",
                    "full_name",
                    "role",
                    "team",
                    "usable_password",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
    filter_horizontal = ["groups"]
    # Role, team and activity follow rules that keep each rep's team history (moves and
    # departures are dated): they change on Settings → Users, through users.services.
    readonly_fields = ["role", "team", "joined_on", "left_on", "is_active"]

    def has_add_permission(self, request):
        return False  # people are added on Settings → Users, which opens their team history


@admin.register(TeamMembership)
class TeamMembershipAdmin(admin.ModelAdmin):
    """Read only: memberships follow from moves and departures on Settings → Users."""

    list_display = ["rep", "team", "start", "end"]
    list_filter = ["team"]
    search_fields = ["rep__full_name", "rep__email"]
    list_select_related = ["rep", "team"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "is_active"]
    search_fields = ["name", "region"]
    filter_horizontal = ["managers"]
