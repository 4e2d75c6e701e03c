from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from quotas import calendar
from quotas.periods import PLANNED_KINDS, PeriodError
from users.models import Team

MONEY = {"max_digits": 16, "decimal_places": 2}

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("Date"), widget=DATE_INPUT)
    name = forms.CharField(label=_("Name"), max_length=100)


class HolidayImportForm(forms.Form):
    text = forms.CharField(
        label=_("Holidays, one a line"),
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": _("2026-12-25 Christmas Day")}),
        help_text=_(
            "A date (YYYY-MM-DD) and a name on each line. Dates already listed are skipped."
        ),
    )


class PeriodField(forms.CharField):
    """A target period typed as 2026-12, 2026-Q4 or FY2027."""

    def __init__(self, *args, kinds=PLANNED_KINDS, **kwargs):
        self.kinds = kinds
        kwargs.setdefault(
            "help_text", _("A month (2026-12), a quarter (2026-Q4) or a year (FY2027).")
        )
        super().__init__(*args, max_length=12, **kwargs)

    def clean(self, value):
        text = super().clean(value)
        try:
            period = calendar.parse_period(text)
        except PeriodError as error:
            raise forms.ValidationError(str(error)) from None
        if period.kind not in self.kinds:
            raise forms.ValidationError(_("Targets are set for a month, a quarter or a year."))
        return period


class TargetChoiceForm(forms.Form):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.filter(is_active=True).order_by("name")
    )
    period = PeriodField(label=_("Period"))


class TargetPlanForm(forms.Form):
    """The admin's target for a team and period, and the weights that split it."""

    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(is_active=True), widget=forms.HiddenInput
    )
    period = PeriodField(widget=forms.HiddenInput)
    basis_revenue = forms.DecimalField(
        label=_("Basis: revenue won last period"), min_value=0, **MONEY
    )
    growth_pct = forms.DecimalField(
        # xgettext:no-python-format
        label=_("Growth %"),
        required=False,
        min_value=-100,
        max_value=1000,
        max_digits=7,
        decimal_places=2,
        # xgettext:no-python-format
        help_text=_("e.g. 10 for +10 % over the basis."),
    )
    revenue_target = forms.DecimalField(
        label=_("…or an absolute target"),
        required=False,
        min_value=0,
        # xgettext:no-python-format
        help_text=_("Overrides the growth %."),
        **MONEY,
    )
    avg_deal_size = forms.DecimalField(
        label=_("Average deal size"), required=False, min_value=Decimal("0.01"), **MONEY
    )

    def __init__(self, *args, reps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.reps = list(reps)
        for rep in self.reps:
            self.fields[f"weight_{rep.pk}"] = forms.DecimalField(
                label=_("Weight of %(name)s") % {"name": rep.full_name},
                min_value=0,
                max_value=1000,
                max_digits=7,
                decimal_places=2,
                initial=1,
            )

    def clean(self):
        cleaned = super().clean()
        absolute, growth = cleaned.get("revenue_target"), cleaned.get("growth_pct")
        basis = cleaned.get("basis_revenue")
        if absolute is None and basis == 0 and not self.errors:
            # docs/metrics.md#targets-with-no-basis: growth on nothing is a target of 0, and
            # quotas of 0.00 that every rep "would have met".
            self.add_error(
                "revenue_target",
                _(
                    "There is no basis to grow from: the basis revenue is 0. "
                    "Type an absolute target."
                ),
            )
            return cleaned
        if absolute is None and growth is None and not self.errors:
            # xgettext:no-python-format
            raise forms.ValidationError(_("Give a growth % or an absolute target."))
        if absolute == 0 or (absolute is None and growth == -100):
            self.add_error(
                "revenue_target" if absolute is not None else "growth_pct",
                _("A target of 0 sets no quota. Type a target above 0."),
            )
        weights = [cleaned.get(f"weight_{rep.pk}") for rep in self.reps]
        if weights and all(w is not None for w in weights) and not any(weights):
            raise forms.ValidationError(_("At least one rep needs a weight above zero."))
        return cleaned

    def target(self) -> Decimal:
        data = self.cleaned_data
        if data.get("revenue_target") is not None:
            return data["revenue_target"]
        grown = data["basis_revenue"] * (1 + data["growth_pct"] / 100)
        return grown.quantize(Decimal("0.01"))

    def weights(self) -> dict[int, Decimal]:
        return {rep.pk: self.cleaned_data[f"weight_{rep.pk}"] for rep in self.reps}

    def weight_fields(self):
        return [(rep, self[f"weight_{rep.pk}"]) for rep in self.reps]
