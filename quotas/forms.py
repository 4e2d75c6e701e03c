from django import forms

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class HolidayForm(forms.Form):
    date = forms.DateField(widget=DATE_INPUT)
    name = forms.CharField(max_length=100)


class HolidayImportForm(forms.Form):
    text = forms.CharField(
        label="Holidays, one a line",
        widget=forms.Textarea(attrs={"rows": 5, "placeholder": "2026-12-25 Christmas Day"}),
        help_text="A date (YYYY-MM-DD) and a name on each line. Dates already listed are skipped.",
    )
