from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from pipeline.engagement import Engagement
from pipeline.models import LeadSource, OpportunityStatus, Product, RevenueType, Stage
from pipeline.selectors import prospects_visible_to
from users.models import Role
from users.selectors import reps_visible_to

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _keep_current(form, name, model):
    """Offer the active choices plus the one already chosen, even if it was deactivated
    since: saving an edit must not silently drop it."""
    current = form.initial.get(name)
    queryset = model.objects.filter(is_active=True)
    if current:
        queryset = model.objects.filter(Q(is_active=True) | Q(pk=current))
    form.fields[name].queryset = queryset.order_by("name")


class _OwnedForm(forms.Form):
    """A form whose object belongs to a rep: reps own what they create; managers and admins
    pick the owner among the reps they see."""

    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=None, required=False, empty_label=None
    )

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, **kwargs)
        self.viewer = viewer
        if viewer.role == Role.REP:
            del self.fields["owner"]
        else:
            self.fields["owner"].queryset = (
                reps_visible_to(viewer).filter(is_active=True).order_by("full_name")
            )
            self.fields["owner"].required = True

    def clean(self):
        cleaned = super().clean()
        if self.viewer.role == Role.REP:
            cleaned["owner"] = self.viewer
        return cleaned


class ProspectForm(_OwnedForm):
    name = forms.CharField(
        label=_("Name"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    company = forms.CharField(label=_("Company"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=40, required=False)
    source = forms.ModelChoiceField(
        label=_("Lead source"),
        queryset=LeadSource.objects.filter(is_active=True),
        required=False,
        empty_label=_("Unknown"),
    )
    field_order = ["name", "company", "email", "phone", "source", "owner"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _keep_current(self, "source", LeadSource)


class OpportunityForm(_OwnedForm):
    prospect = forms.ModelChoiceField(label=_("Prospect"), queryset=None)
    name = forms.CharField(
        label=_("Name"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True})
    )
    amount = forms.DecimalField(
        label=_("Amount"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    revenue_type = forms.ChoiceField(label=_("Revenue type"), choices=RevenueType.choices)
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True),
        required=False,
        empty_label=pgettext_lazy("no product", "None"),
    )
    lead_source = forms.ModelChoiceField(
        label=_("Lead source"),
        queryset=LeadSource.objects.filter(is_active=True),
        required=False,
        empty_label=_("The prospect's"),
    )
    opened_on = forms.DateField(label=_("Opened on"), initial=timezone.localdate, widget=DATE_INPUT)
    expected_close_on = forms.DateField(
        label=_("Expected close on"), required=False, widget=DATE_INPUT
    )
    field_order = [
        "prospect",
        "name",
        "amount",
        "revenue_type",
        "product",
        "lead_source",
        "opened_on",
        "expected_close_on",
        "owner",
    ]

    def __init__(self, *args, viewer, **kwargs):
        super().__init__(*args, viewer=viewer, **kwargs)
        self.fields["prospect"].queryset = prospects_visible_to(viewer).order_by("name")
        _keep_current(self, "product", Product)
        _keep_current(self, "lead_source", LeadSource)

    def clean(self):
        cleaned = super().clean()
        opened, expected = cleaned.get("opened_on"), cleaned.get("expected_close_on")
        if opened and opened > timezone.localdate():
            self.add_error("opened_on", _("An opportunity cannot open in the future."))
        if opened and expected and expected < opened:
            self.add_error("expected_close_on", _("The expected close comes after it opened."))
        return cleaned


class MoveForm(forms.Form):
    stage = forms.ModelChoiceField(
        label=_("Stage"), queryset=Stage.objects.order_by("order"), empty_label=None
    )
    closed_on = forms.DateField(
        label=_("Closed on"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("For won or lost; today if left empty."),
    )
    lost_reason = forms.CharField(label=_("Why was it lost?"), max_length=200, required=False)


class ProspectFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.SearchInput(attrs={"placeholder": _("Name, company or email")}),
    )
    engagement = forms.ChoiceField(
        label=_("Engagement"), required=False, choices=[("", _("Any")), *Engagement.choices]
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("name", _("Name")),
            ("engagement", _("Latest response")),
            ("unanswered", _("Most unanswered touches")),
        ],
    )


class OpportunityFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, widget=forms.SearchInput())
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[*OpportunityStatus.choices, ("", _("All"))],
    )
    stage = forms.ModelChoiceField(
        label=_("Stage"),
        required=False,
        queryset=Stage.objects.order_by("order"),
        empty_label=_("Any stage"),
    )


class LeadSourceForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class ProductForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120)
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)


class StageForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60)
    order = forms.IntegerField(
        label=_("Order"), min_value=0, max_value=32767, help_text=_("Lower comes first.")
    )
    probability = forms.IntegerField(
        label=_("Probability"),
        min_value=0,
        max_value=100,
        help_text=_("Chance of winning from here, in %."),
    )
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[
            ("open", pgettext_lazy("stage kind", "Open")),
            ("won", _("Won (closes as won)")),
            ("lost", _("Lost (closes as lost)")),
        ],
    )
