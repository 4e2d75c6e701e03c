"""The forms a rep fills in on My day, and the activity log's filters. They check the shape
of what was typed; the rules live in activities.services."""

from django import forms
from django.db.models import Q
from django.utils import timezone

from activities.models import (
    MAX_QUANTITY,
    OUTCOMES_BY_KIND,
    Kind,
    Outcome,
    ProspectStatus,
)
from activities.services import TallyLine
from pipeline.models import Opportunity, OpportunityStatus, Prospect
from pipeline.selectors import opportunities_visible_to, prospects_visible_to

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def outcome_choices(kind: str | None):
    """Outcomes of one kind, or every outcome grouped by kind when none is chosen yet."""
    if kind in Kind.values:
        return [(o.value, o.label) for o in OUTCOMES_BY_KIND[Kind(kind)]]
    return [
        (Kind(k).label, [(o.value, o.label) for o in outcomes])
        for k, outcomes in OUTCOMES_BY_KIND.items()
    ]


class ActivityForm(forms.Form):
    """Quick add (and inline edit) of one activity."""

    kind = forms.ChoiceField(choices=Kind.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(choices=Outcome.choices)
    prospect = forms.ModelChoiceField(
        queryset=Prospect.objects.none(), required=False, widget=forms.HiddenInput
    )
    prospect_status = forms.ChoiceField(
        label="Prospect",
        choices=ProspectStatus.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text="Without a prospect picked, say whether this was a new or existing one.",
    )
    opportunity = forms.ModelChoiceField(
        queryset=Opportunity.objects.none(), required=False, empty_label="No opportunity"
    )
    quantity = forms.IntegerField(
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    date = forms.DateField(initial=timezone.localdate, widget=DATE_INPUT)
    duration_minutes = forms.IntegerField(
        label="Duration (minutes)", required=False, min_value=0, max_value=24 * 60
    )
    follow_up_on = forms.DateField(label="Follow up on", required=False, widget=DATE_INPUT)
    notes = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, rep, **kwargs):
        super().__init__(*args, **kwargs)
        self.rep = rep
        self.fields["prospect"].queryset = prospects_visible_to(rep)
        open_ones = Q(status=OpportunityStatus.OPEN)
        if current := self.initial.get("opportunity"):
            open_ones |= Q(pk=current)  # an edit keeps a deal that has closed since
        self.fields["opportunity"].queryset = (
            opportunities_visible_to(rep).filter(open_ones).order_by("name")
        )
        # Any outcome is accepted by the field (clean() says which kind it belongs to), but
        # the select offers only the chosen kind's outcomes.
        kind = self.data.get(self.add_prefix("kind")) or self.initial.get("kind")
        self.fields["outcome"].widget.choices = outcome_choices(kind)

    def clean(self):
        cleaned = super().clean()
        kind, outcome = cleaned.get("kind"), cleaned.get("outcome")
        if kind and outcome and outcome not in OUTCOMES_BY_KIND[Kind(kind)]:
            self.add_error("outcome", f"Pick an outcome of a {Kind(kind).label.lower()}.")
        return cleaned

    def service_kwargs(self):
        data = dict(self.cleaned_data)
        data["prospect_status"] = data["prospect_status"] or None
        return data


# The daily tally: one number per row × new/existing column.
TALLY_ROWS = [
    # (field stem, label, kind, outcome, part_of)
    ("calls", "Calls made", Kind.CALL, None, None),
    ("connected", "… of which connected", Kind.CALL, Outcome.CONNECTED, "calls"),
    ("emails", "Emails sent", Kind.EMAIL, Outcome.SENT, None),
    ("meetings", "Meetings held", Kind.MEETING, None, None),
    ("positive", "… of which positive", Kind.MEETING, Outcome.HELD_POSITIVE, "meetings"),
    ("messages", "Messages sent", Kind.MESSAGE, Outcome.SENT, None),
]
TALLY_COLUMNS = [ProspectStatus.NEW, ProspectStatus.EXISTING]


class TallyForm(forms.Form):
    """A whole day as counts. "40 calls, 12 connected" becomes 12 connected calls and 28
    not connected (no answer); "3 meetings held, 1 positive" becomes 1 positive and 2
    neutral — each split by new and existing prospects."""

    date = forms.DateField(initial=timezone.localdate, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for stem, label, *_ in TALLY_ROWS:
            for status in TALLY_COLUMNS:
                self.fields[f"{stem}_{status}"] = forms.IntegerField(
                    label=f"{label} — {ProspectStatus(status).label.lower()}",
                    required=False,
                    min_value=0,
                    max_value=MAX_QUANTITY,
                    widget=forms.NumberInput(
                        attrs={"inputmode": "numeric", "placeholder": "0", "min": 0}
                    ),
                )

    def rows(self):
        """The grid for the template: (label, [bound field per column])."""
        return [
            (label, [self[f"{stem}_{status}"] for status in TALLY_COLUMNS])
            for stem, label, *_ in TALLY_ROWS
        ]

    def clean(self):
        cleaned = super().clean()
        for stem, _label, _kind, _outcome, part_of in TALLY_ROWS:
            if part_of is None:
                continue
            for status in TALLY_COLUMNS:
                part = cleaned.get(f"{stem}_{status}") or 0
                whole = cleaned.get(f"{part_of}_{status}") or 0
                if part > whole:
                    self.add_error(
                        f"{stem}_{status}",
                        f"More than the {whole} {part_of} entered for "
                        f"{ProspectStatus(status).label.lower()}s.",
                    )
        return cleaned

    def lines(self) -> list[TallyLine]:
        data = self.cleaned_data
        lines = []
        for status in TALLY_COLUMNS:

            def count(stem, status=status):
                return data.get(f"{stem}_{status}") or 0

            lines += [
                TallyLine(Kind.CALL, Outcome.CONNECTED, status, count("connected")),
                TallyLine(
                    Kind.CALL, Outcome.NO_ANSWER, status, count("calls") - count("connected")
                ),
                TallyLine(Kind.EMAIL, Outcome.SENT, status, count("emails")),
                TallyLine(Kind.MEETING, Outcome.HELD_POSITIVE, status, count("positive")),
                TallyLine(
                    Kind.MEETING,
                    Outcome.HELD_NEUTRAL,
                    status,
                    count("meetings") - count("positive"),
                ),
                TallyLine(Kind.MESSAGE, Outcome.SENT, status, count("messages")),
            ]
        return lines


class ActivityFilterForm(forms.Form):
    start = forms.DateField(label="From", required=False, widget=DATE_INPUT)
    end = forms.DateField(label="To", required=False, widget=DATE_INPUT)
    kind = forms.ChoiceField(required=False, choices=[("", "Any kind"), *Kind.choices])
    outcome = forms.ChoiceField(required=False, choices=[("", "Any outcome"), *Outcome.choices])
    rep = forms.ModelChoiceField(required=False, queryset=None, empty_label="Every rep")

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end comes before the start.")
        return cleaned


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds",
        choices=[
            ("activities", "Activities"),
            ("prospects", "Prospects"),
            ("opportunities", "Opportunities"),
            ("users", "Users (admins only)"),
        ],
    )
    file = forms.FileField(label="CSV file (UTF-8, header row)")
    create_missing = forms.BooleanField(
        label="Create unknown teams, lead sources, stages and products",
        required=False,
    )

    def __init__(self, *args, max_bytes, allow_users, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        if not allow_users:
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] != "users"
            ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file is {upload.size / 1_048_576:.1f} MB; the limit is "
                f"{self.max_bytes // 1_048_576} MB. Split it into smaller files."
            )
        return upload
