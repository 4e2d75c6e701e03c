from django import forms
from django.utils.translation import gettext_lazy as _

from api.models import Scope
from api.services import MAX_EXPIRY_DAYS
from users.models import User


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=60,
        widget=forms.TextInput(attrs={"autofocus": True, "placeholder": _("laptop, HubSpot…")}),
        help_text=_("What uses it, so that you know which one to revoke."),
    )
    scope = forms.ChoiceField(
        label=_("Scope"), choices=Scope.choices, initial=Scope.READ, widget=forms.RadioSelect
    )
    expires_in_days = forms.IntegerField(
        label=_("Expires in (days)"),
        required=False,
        min_value=1,
        max_value=MAX_EXPIRY_DAYS,
        help_text=_("Leave empty for a token that lasts until it is revoked."),
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        if users is not None:
            # An admin may make a token for any active user (an integration user, say).
            self.fields["user"] = forms.ModelChoiceField(
                label=_("For"),
                queryset=users,
                required=False,
                empty_label=_("Me"),
                help_text=_("The token acts with this person's role and scope."),
            )
            self.order_fields(["user", "name", "scope", "expires_in_days"])

    def chosen_user(self, me: User) -> User:
        return self.cleaned_data.get("user") or me
