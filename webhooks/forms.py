from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks.models import Event


class EndpointForm(forms.Form):
    url = forms.URLField(
        label=_("URL"),
        max_length=2000,
        assume_scheme="https",
        widget=forms.URLInput(
            attrs={"autofocus": True, "placeholder": "https://hooks.example.com/salestrack"}
        ),
        help_text=_(
            "Each event is POSTed here as JSON, signed with this endpoint's secret. "
            "A Slack incoming-webhook URL works as it is."
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=Event.choices,
        initial=Event.values,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
