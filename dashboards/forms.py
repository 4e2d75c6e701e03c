from decimal import Decimal

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core.formats import percent
from quotas import calendar
from quotas.backsolve import RateError, parse_rate
from quotas.periods import PeriodError, custom

MONEY = {"max_digits": 16, "decimal_places": 2}


class RateField(forms.CharField):
    """A rate typed as 0.15, 15% or 1/3. `current` is the rate the form starts from: it is
    shown rounded ("4.4 %"), and that text left as it was stands for the exact rate — even
    one a person could not type, such as 150 % meetings → opportunities."""

    current: float | None = None

    def clean(self, value):
        text = super().clean(value)
        if not text:
            return None
        if self.current is not None and _compact(text) == _compact(rate_text(self.current)):
            return self.current
        try:
            return parse_rate(text)
        except RateError as error:
            raise forms.ValidationError(str(error)) from None


def rate_text(rate: float | None) -> str | None:
    """A rate as the what-if shows it: a percentage with one decimal, 0.0436 → "4.4 %"."""
    return None if rate is None else percent(rate)


def _compact(text: str) -> str:
    return "".join(text.split())  # no-break spaces too (a Spanish "4,4 %")


RATE_FIELDS = ("win_rate", "meeting_to_opportunity_rate", "call_to_meeting_rate")


class WhatIfForm(forms.Form):
    """The what-if's inputs. Rates start from the rep's own, shown rounded ("4.4 %"); a
    rounded rate left as it was stands for the exact one (`exact_rates`), so an untouched
    form answers the current plan to the call. Every error starts with the field's name."""

    target_revenue = forms.DecimalField(
        label=_("Revenue still to win"), required=False, min_value=0, **MONEY
    )
    target_deals = forms.IntegerField(
        label=_("…or deals still to win"), required=False, min_value=0, max_value=100_000
    )
    avg_deal_size = forms.DecimalField(
        label=_("Average deal size"), required=False, min_value=Decimal("0.01"), **MONEY
    )
    win_rate = RateField(label=_("Win rate"), required=False)
    meeting_to_opportunity_rate = RateField(label=_("Meetings → opportunities"), required=False)
    call_to_meeting_rate = RateField(label=_("Calls → meetings"), required=False)
    emails_per_meeting = forms.DecimalField(
        label=_("Emails per meeting held"),
        required=False,
        min_value=0,
        max_value=10_000,
        max_digits=9,
        decimal_places=3,
    )
    messages_per_meeting = forms.DecimalField(
        label=_("Messages per meeting held"),
        required=False,
        min_value=0,
        max_value=10_000,
        max_digits=9,
        decimal_places=3,
    )
    working_days = forms.IntegerField(
        label=_("Working days left"), min_value=1, max_value=366, required=False
    )

    def __init__(self, *args, exact_rates=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.exact_rates = exact_rates or {}
        for name in RATE_FIELDS:
            self.fields[name].current = self.exact_rates.get(name)
        # The page keeps each field's help and errors in one node the input points to (an
        # htmx answer replaces that node, not the input being typed in).
        for name, field in self.fields.items():
            field.widget.attrs["aria-describedby"] = f"{self.auto_id % name}_notes"

    def clean(self):
        cleaned = super().clean()
        no_target = cleaned.get("target_revenue") is None and cleaned.get("target_deals") is None
        if no_target and not self.errors:
            raise forms.ValidationError(gettext("Give the revenue or the deals still to win."))
        return cleaned

    def full_clean(self):
        super().full_clean()
        if not self.is_bound or not self._errors:
            return
        for name, errors in list(self._errors.items()):
            if name not in self.fields:
                continue
            label = self.fields[name].label
            self._errors[name] = self.error_class(
                [_named(label, message) for message in errors],
                renderer=self.renderer,
            )


def _named(label: str, message: str) -> str:
    """ "Ensure this value is…" → "Working days left: ensure this value is…"."""
    if message.startswith(f"{label}:"):
        return message
    first = message[:1]
    rest = message[1:]
    if first.isupper() and not rest[:1].isupper():
        first = first.lower()
    return gettext("%(field)s: %(error)s") % {"field": label, "error": f"{first}{rest}"}


RANGES = [
    ("this_month", _("This month")),
    ("last_month", _("Last month")),
    ("this_week", _("This week")),
    ("last_week", _("Last week")),
    ("this_quarter", _("This quarter")),
    ("last_quarter", _("Last quarter")),
    ("custom", _("Custom…")),
]


class DashboardPeriodForm(forms.Form):
    """The period picker of the dashboards: a named range, or custom dates."""

    range = forms.ChoiceField(label=_("Period"), choices=RANGES, required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("range") == "custom":
            start, end = cleaned.get("start"), cleaned.get("end")
            if not start or not end:
                raise forms.ValidationError(gettext("A custom period needs a start and an end."))
            if end < start:
                raise forms.ValidationError(gettext("The period ends before it starts."))
            if (end - start).days > 731:
                raise forms.ValidationError(gettext("Pick at most two years."))
            try:
                custom(start, end)
            except PeriodError as error:
                raise forms.ValidationError(
                    gettext("Pick dates inside the years we plan in: %(error)s.") % {"error": error}
                ) from None
        return cleaned

    def period(self, today):
        choice = (self.cleaned_data.get("range") if self.is_valid() else "") or "this_month"
        if choice == "custom":
            return custom(self.cleaned_data["start"], self.cleaned_data["end"])
        when, kind = choice.split("_")
        current = calendar.period_containing(today, kind)
        return current if when == "this" else calendar.previous_period(current)
