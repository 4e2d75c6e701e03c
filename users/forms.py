from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from core.validators import validate_currency, validate_plain_email
from users.models import Role, Team, User, canonical_email


class LoginForm(AuthenticationForm):
    """Email and password. A deactivated account is told so, rather than 'wrong password',
    but only once the password proves who is asking (`users.auth.EmailBackend` hands it to
    `confirm_login_allowed`, at the cost of the one hash every attempt takes)."""

    username = forms.EmailField(
        label=_("Email"),
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "That email and password do not match an account. Check both and try again."
        ),
        "inactive": _("This account has been deactivated. Ask an admin to reactivate it."),
    }

    def clean_username(self):
        # A look-alike (a Kelvin sign for a k) is refused, not folded into someone's address
        # (docs/operations.md#email-addresses); no account is tried, no failure counted.
        validate_plain_email(self.cleaned_data["username"])
        return canonical_email(self.cleaned_data["username"])


class ProfileForm(forms.Form):
    """What anyone may change about themselves (`services.profile_update`)."""

    full_name = forms.CharField(label=_("Name"), max_length=150)
    language = forms.ChoiceField(
        label=_("Language"),
        choices=[("", _("As my browser says")), *settings.LANGUAGES],
        required=False,
        help_text=_("The language of your pages, numbers and dates."),
    )


class PasswordResetForm(auth_forms.PasswordResetForm):
    """Imported and admin-created users have no usable password yet; the reset page is how
    they set their first one, so it must reach them too (Django's form skips them)."""

    def clean_email(self):
        validate_plain_email(self.cleaned_data["email"])
        return self.cleaned_data["email"]

    def get_users(self, email):
        return User.objects.filter(email=canonical_email(email), is_active=True)

    def send_mail(self, *args, **kwargs):
        """The email is written in the language its reader chose on their profile, whatever
        the language of the page it was asked from (docs/i18n.md#choosing-the-language)."""
        context = args[2] if len(args) > 2 else kwargs["context"]
        language = context["user"].language or translation.get_language()
        with translation.override(language):
            super().send_mail(*args, **kwargs)


class UserForm(forms.Form):
    """What an admin types about a person. The rules (a rep needs a team, only reps sit in
    one, nobody demotes themselves) live in `services.user_create/user_update`."""

    full_name = forms.CharField(
        label=_("Full name"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    team = forms.ModelChoiceField(
        label=_("Team"),
        queryset=Team.objects.none(),
        required=False,
        help_text=_("Reps only. Managers are given their teams on the team page."),
    )
    joined_on = forms.DateField(
        label=_("Joined on"),
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("No activity can be logged before this day."),
    )
    effective_on = forms.DateField(
        label=_("A new team or role takes effect on"),
        required=False,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Days before it stay with the old team in every report."),
    )
    is_staff = forms.BooleanField(label=_("Can open the Django admin"), required=False)

    def __init__(self, *args, instance: User | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "full_name": instance.full_name,
                    "email": instance.email,
                    "role": instance.role,
                    "team": instance.team_id,
                    "joined_on": instance.joined_on,
                    "is_staff": instance.is_staff,
                },
            )
        super().__init__(*args, **kwargs)
        if instance is None:
            del self.fields["effective_on"]  # a new person starts on the day they joined
        teams = Team.objects.filter(is_active=True)
        if instance is not None and instance.team_id:
            teams = teams | Team.objects.filter(pk=instance.team_id)
        self.fields["team"].queryset = teams.order_by("name")

    def clean_email(self):
        validate_plain_email(self.cleaned_data["email"])
        email = canonical_email(self.cleaned_data["email"])
        clash = User.objects.filter(email=email)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("Another user already has this email."))
        return email


class TeamForm(forms.Form):
    name = forms.CharField(
        label=_("Name"), max_length=100, widget=forms.TextInput(attrs={"autofocus": True})
    )
    region = forms.CharField(label=_("Region"), max_length=100, required=False)
    managers = forms.ModelMultipleChoiceField(
        label=_("Managers"),
        queryset=User.objects.filter(role=Role.MANAGER, is_active=True).order_by("full_name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The managers who see this team's dashboard and reps."),
    )

    def __init__(self, *args, instance: Team | None = None, **kwargs):
        self.instance = instance
        if instance is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": instance.name,
                    "region": instance.region,
                    "managers": list(instance.managers.values_list("pk", flat=True)),
                },
            )
        super().__init__(*args, **kwargs)

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Team.objects.filter(name__iexact=name)
        if self.instance is not None:
            clash = clash.exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("There is already a team with this name."))
        return name


class DeactivateForm(forms.Form):
    last_day = forms.DateField(
        label=_("Last day"),
        required=False,
        initial=timezone.localdate,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Their numbers stay in every period up to this day."),
    )
    hand_to = forms.ModelChoiceField(
        label=_("Hand their work to"),
        queryset=User.objects.none(),
        required=False,
        empty_label=_("Nobody yet: list it on the team page as unassigned"),
        help_text=_(
            "Their open opportunities, prospects and follow-ups from today on; each record's "
            "history says it was handed over."
        ),
    )

    def __init__(self, *args, candidates=None, **kwargs):
        super().__init__(*args, **kwargs)
        if candidates is not None:
            self.fields["hand_to"].queryset = candidates


class HandOverForm(forms.Form):
    """A deactivated rep's work, handed over after they left."""

    hand_to = forms.ModelChoiceField(
        label=_("Hand their work to"),
        queryset=User.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["hand_to"].queryset = candidates


class UserFilterForm(forms.Form):
    q = forms.CharField(
        required=False,
        label=_("Search"),
        widget=forms.SearchInput(attrs={"placeholder": _("Name or email")}),
    )
    role = forms.ChoiceField(
        label=_("Role"), required=False, choices=[("", _("Any role")), *Role.choices]
    )
    team = forms.ModelChoiceField(
        label=_("Team"),
        required=False,
        queryset=Team.objects.order_by("name"),
        empty_label=_("Any team"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("active", _("Active")), ("inactive", _("Deactivated")), ("", _("All"))],
        initial="active",
    )


class OrganisationForm(forms.Form):
    """Settings → Organisation: the currency every amount is in (docs/contracts.md#currency).
    Left empty, the environment's `CURRENCY` stands."""

    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=10,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "size": 6}),
    )

    def __init__(self, *args, default_currency: str, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["currency"]
        field.widget.attrs["placeholder"] = default_currency
        field.help_text = _(
            "An ISO 4217 code, like EUR, USD or GBP: pages write amounts with its symbol or "
            "code, CSV money columns end in it and the API and reports name it. Leave it "
            "empty for the server's default, %(default)s."
        ) % {"default": default_currency}

    def clean_currency(self):
        code = self.cleaned_data["currency"].strip().upper()
        if code:
            validate_currency(code)
        return code
