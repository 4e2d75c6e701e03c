"""The forms a rep fills in on My day, and the activity log's filters. They check the shape
of what was typed; the rules live in activities.services."""

from dataclasses import replace

from django import forms
from django.db.models import Q
from django.forms.models import ModelChoiceIterator
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext_lazy as _

from activities.models import (
    MAX_QUANTITY,
    OUTCOMES_BY_KIND,
    Kind,
    Outcome,
    ProspectStatus,
)
from activities.services import REASON_MAX_LENGTH, NewOpportunity, NewProspect, TallyLine
from core.widgets import PLAIN_WIDGETS
from imports import registry
from imports.mapping import Mapping, suggest_values
from imports.models import KIND_LABELS
from pipeline.models import Opportunity, OpportunityStatus, Prospect, RevenueType
from pipeline.selectors import opportunities_visible_to, prospects_visible_to

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTES_MAX_LENGTH = 2000


def outcome_choices(kind: str | None):
    """Outcomes of one kind, or every outcome grouped by kind when none is chosen yet."""
    if kind in Kind.values:
        return [(o.value, o.label) for o in OUTCOMES_BY_KIND[Kind(kind)]]
    return [
        (Kind(k).label, [(o.value, o.label) for o in outcomes])
        for k, outcomes in OUTCOMES_BY_KIND.items()
    ]


class _DealNames(ModelChoiceIterator):
    """A deal <select>'s options: each deal's id and name (what it says, str(deal)), two
    columns read in one plain query when the select is rendered — not Django's iterator()
    over every column of the deal and its joined tables through a server-side cursor
    (DECLARE … WITH HOLD), for a rep's handful of open deals."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("pk", "name")


class DealChoiceField(forms.ModelChoiceField):
    iterator = _DealNames


class ActivityForm(forms.Form):
    """Quick add (and inline edit) of one activity."""

    # Its widgets written without a template each: the form is in every answer of My day
    # (core/widgets.py).
    default_renderer = PLAIN_WIDGETS

    kind = forms.ChoiceField(label=_("Kind"), choices=Kind.choices, widget=forms.RadioSelect)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices)
    prospect = forms.ModelChoiceField(
        queryset=Prospect.objects.none(), required=False, widget=forms.HiddenInput
    )
    prospect_status = forms.ChoiceField(
        label=_("Prospect"),
        choices=ProspectStatus.choices,
        required=False,
        widget=forms.RadioSelect,
        help_text=_("Without a prospect picked, say whether this was a new or existing one."),
    )
    opportunity = DealChoiceField(
        label=_("Opportunity"),
        queryset=Opportunity.objects.none(),
        required=False,
        empty_label=_("No opportunity"),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=MAX_QUANTITY,
        initial=1,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
    )
    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DATE_INPUT)
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=24 * 60
    )
    follow_up_on = forms.DateField(label=_("Follow up on"), required=False, widget=DATE_INPUT)
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        max_length=NOTES_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "max_length": _(
                "Notes are at most %(limit_value)d characters "
                "(these have %(show_value)d): shorten them."
            )
        },
    )
    # A prospect or a deal that does not exist yet, created with the activity
    # (services.activity_log_with_new).
    new_prospect_name = forms.CharField(
        label=_("New prospect's name"), required=False, max_length=150
    )
    new_prospect_company = forms.CharField(label=_("Company"), required=False, max_length=150)
    new_opportunity = forms.BooleanField(
        label=_("Open a new opportunity from this meeting"), required=False
    )
    new_opportunity_name = forms.CharField(
        label=_("Opportunity name"), required=False, max_length=150
    )
    new_opportunity_amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )
    new_opportunity_revenue_type = forms.ChoiceField(
        label=_("Revenue type"),
        choices=RevenueType.choices,
        initial=RevenueType.RECURRING,
        required=False,
    )
    new_opportunity_expected_close_on = forms.DateField(
        label=_("Expected close"), required=False, widget=DATE_INPUT
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
        # No maxlength on the textarea: the browser would cut a pasted note silently. A
        # counter (static/js/salestrack.js) shows the limit and the form says what is over.
        notes = self.fields["notes"].widget.attrs
        notes.pop("maxlength", None)
        notes["data-max-length"] = NOTES_MAX_LENGTH
        # Its help text is rendered as the counter ("12 / 2000"), which the textarea's
        # aria-describedby names.
        self.fields["notes"].help_text = gettext("Up to %(limit)s characters.") % {
            "limit": NOTES_MAX_LENGTH
        }

    def clean(self):
        cleaned = super().clean()
        kind, outcome = cleaned.get("kind"), cleaned.get("outcome")
        if kind and outcome and outcome not in OUTCOMES_BY_KIND[Kind(kind)]:
            self.add_error(
                "outcome",
                gettext("Pick an outcome of a %(kind)s.") % {"kind": Kind(kind).label.lower()},
            )
        typed = " ".join(self.data.get(self.add_prefix("q"), "").split())
        if typed and not cleaned.get("prospect") and not cleaned.get("new_prospect_name"):
            # Typed in the prospect search but never picked: say so rather than save the
            # activity without the prospect the rep meant.
            self.add_error(
                "prospect",
                gettext(
                    "You typed “%(typed)s” but picked no prospect: pick one from the list, "
                    "create it as a new prospect, or clear the search."
                )
                % {"typed": typed},
            )
        if cleaned.get("new_opportunity"):
            if not cleaned.get("new_opportunity_name", "").strip():
                self.add_error("new_opportunity_name", gettext("Name the opportunity."))
            if cleaned.get("new_opportunity_amount") is None and not self.has_error(
                "new_opportunity_amount"
            ):
                self.add_error("new_opportunity_amount", gettext("Give the amount (0 if unknown)."))
        return cleaned

    def service_kwargs(self):
        """The activity's own fields, for services.activity_log / activity_update."""
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("new_")}
        data["prospect_status"] = data["prospect_status"] or None
        return data

    def new_records(self) -> dict:
        """What to create with the activity, for services.activity_log_with_new."""
        data = self.cleaned_data
        records = {}
        if name := data.get("new_prospect_name", "").strip():
            records["new_prospect"] = NewProspect(name, data.get("new_prospect_company", ""))
        if data.get("new_opportunity"):
            records["new_opportunity"] = NewOpportunity(
                name=data["new_opportunity_name"],
                amount=data["new_opportunity_amount"],
                revenue_type=data["new_opportunity_revenue_type"] or RevenueType.RECURRING,
                expected_close_on=data.get("new_opportunity_expected_close_on"),
            )
        return records


class CorrectionForm(ActivityForm):
    """A manager's or an admin's correction of an activity (docs/metrics.md#the-edit-window):
    the activity's fields, and why — required by the service for a locked row."""

    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        required=False,
        max_length=REASON_MAX_LENGTH,
        help_text=gettext_lazy(
            "Why you correct it, kept in its history (required for a row before the edit window)."
        ),
    )

    def service_kwargs(self):
        data = super().service_kwargs()
        data.pop("reason", None)
        return data


# The daily tally: one number per row × new/existing column.
TALLY_ROWS = [
    # (field stem, label, kind, outcome, part_of)
    ("calls", _("Calls made"), Kind.CALL, None, None),
    ("connected", _("… of which connected"), Kind.CALL, Outcome.CONNECTED, "calls"),
    ("emails", _("Emails sent"), Kind.EMAIL, Outcome.SENT, None),
    ("meetings", _("Meetings held"), Kind.MEETING, None, None),
    ("positive", _("… of which positive"), Kind.MEETING, Outcome.HELD_POSITIVE, "meetings"),
    ("messages", _("Messages sent"), Kind.MESSAGE, Outcome.SENT, None),
]
TALLY_COLUMNS = [ProspectStatus.NEW, ProspectStatus.EXISTING]
# "More than the 3 calls entered for new prospects.": one sentence per whole and column.
TALLY_TOO_MANY = {
    "calls": _("More than the %(whole)s calls entered for %(prospects)s."),
    "meetings": _("More than the %(whole)s meetings entered for %(prospects)s."),
}
TALLY_PROSPECTS = {
    ProspectStatus.NEW: _("new prospects"),
    ProspectStatus.EXISTING: _("existing prospects"),
}


class TallyForm(forms.Form):
    """A whole day as counts. "40 calls, 12 connected" becomes 12 connected calls and 28
    not connected (no answer); "3 meetings held, 1 positive" becomes 1 positive and 2
    neutral — each split by new and existing prospects."""

    date = forms.DateField(label=_("Date"), initial=timezone.localdate, widget=DATE_INPUT)
    default_renderer = PLAIN_WIDGETS  # as ActivityForm's

    def __init__(self, *args, **kwargs):
        # Its own ids: the quick-add form on the same page has an id_date too.
        kwargs.setdefault("auto_id", "tally_%s")
        super().__init__(*args, **kwargs)
        for stem, label, *_rest in TALLY_ROWS:
            for status in TALLY_COLUMNS:
                self.fields[f"{stem}_{status}"] = forms.IntegerField(
                    label=gettext("%(row)s — %(status)s")
                    % {"row": label, "status": ProspectStatus(status).label.lower()},
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
            for stem, label, *_rest in TALLY_ROWS
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
                        TALLY_TOO_MANY[part_of]
                        % {"whole": whole, "prospects": TALLY_PROSPECTS[status]},
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
    start = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("To"), required=False, widget=DATE_INPUT)
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *Kind.choices]
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), required=False, choices=[("", _("Any outcome")), *Outcome.choices]
    )
    rep = forms.ModelChoiceField(
        label=_("Rep"), required=False, queryset=None, empty_label=_("Every rep")
    )

    def __init__(self, *args, reps, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rep"].queryset = reps

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", gettext("The end comes before the start."))
        return cleaned


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=[(kind, label) for kind, label in KIND_LABELS.items() if kind != "users"]
        + [("users", _("Users (admins only)"))],
    )
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "With a header row: SalesTrack's columns (below), or an export of HubSpot, "
            "Pipedrive or Salesforce as it comes, whose columns you match on the next page. "
            "Up to 10 MB."
        ),
    )
    create_missing = forms.BooleanField(
        label=_("Create unknown teams, lead sources, stages and products"),
        required=False,
    )

    def __init__(self, *args, max_bytes, for_admin, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        if not for_admin:
            # Users, teams, stages, sources and products are the admins' to add; the
            # importer refuses them to a manager anyway (imports.framework.may_create).
            self.fields["kind"].choices = [
                c for c in self.fields["kind"].choices if c[0] != "users"
            ]
            del self.fields["create_missing"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                gettext(
                    "The file is %(size).1f MB; the limit is %(limit)s MB. "
                    "Split it into smaller files."
                )
                % {"size": upload.size / 1_048_576, "limit": self.max_bytes // 1_048_576}
            )
        return upload


# Matching another tool's export to our columns (imports.mapping) ----------------

JOINED = "__joined__"
DATE_FORMATS = {
    "%Y-%m-%d": "2026-01-31",
    "%m/%d/%Y": _("01/31/2026 (month first, US)"),
    "%d/%m/%Y": _("31/01/2026 (day first)"),
    "%d.%m.%Y": "31.01.2026",
    "%Y-%m-%d %H:%M": "2026-01-31 14:05",
    "%Y-%m-%d %H:%M:%S": "2026-01-31 14:05:00",
    "%m/%d/%Y %I:%M %p": "01/31/2026 2:05 PM",
    "%d/%m/%Y %H:%M": "31/01/2026 14:05",
}


class ImportMappingForm(forms.Form):
    """Which column of their file fills each of ours (or one value for every row), how
    they write dates, and what their values mean in ours, starting from `propose`'s
    proposal. `value_lists` is {our column: (their distinct values, {our value: label})}
    for the columns whose values are a fixed list (kinds, outcomes, stages, reps…)."""

    def __init__(self, *args, proposal, header, value_lists, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        mapping = proposal.mapping
        required, optional = registry.columns(mapping.kind)
        self.required = required
        self.our_columns = required + optional
        self.value_lists = value_lists
        for column in self.our_columns:
            choices = [("", gettext("— not in my file —"))] + [
                (name, name) for name in header if name
            ]
            initial = mapping.columns.get(column, "")
            if column in mapping.joins:
                choices.insert(1, (JOINED, " + ".join(mapping.joins[column])))
                initial = JOINED
            self.fields[f"column__{column}"] = forms.ChoiceField(
                label=column, choices=choices, required=False, initial=initial
            )
            self.fields[f"constant__{column}"] = forms.CharField(
                label=gettext("Or the same %(column)s on every row") % {"column": column},
                required=False,
                max_length=200,
                initial=mapping.constants.get(column, ""),
            )
        formats = dict(DATE_FORMATS)
        formats.setdefault(mapping.date_format[0], mapping.date_format[0])
        self.fields["date_format"] = forms.ChoiceField(
            label=gettext("Dates in the file look like"),
            choices=list(formats.items()),
            initial=mapping.date_format[0],
        )
        for column, (their_values, our_values) in value_lists.items():
            current = mapping.values.get(column, {})
            suggested = suggest_values(their_values, our_values)
            for index, value in enumerate(their_values):
                folded = value.strip().casefold()
                self.fields[f"value__{column}__{index}"] = forms.ChoiceField(
                    label=value,
                    choices=[
                        ("", gettext("— no match: refuse these rows —")),
                        *(
                            (v, label if label == v else f"{label} ({v})")
                            for v, label in our_values.items()
                        ),
                    ],
                    required=False,
                    initial=current.get(folded) or suggested.get(folded, ""),
                )
        self.fields["preset_name"] = forms.CharField(
            label=gettext("Save this matching for the next file, named"),
            required=False,
            max_length=80,
            help_text=gettext_lazy(
                "Optional; your team's managers can then use it (an admin's, or that of "
                "a manager of several teams, is their own). The same name saved again "
                "replaces it."
            ),
        )

    def column_rows(self):
        """(our column, required?, the column field, the constant field) for the page."""
        return [
            (c, c in self.required, self[f"column__{c}"], self[f"constant__{c}"])
            for c in self.our_columns
        ]

    def value_sections(self):
        """(our column, [value fields]) for the page."""
        return [
            (column, [self[f"value__{column}__{i}"] for i in range(len(values))])
            for column, (values, _) in self.value_lists.items()
        ]

    def clean(self):
        cleaned = super().clean()
        # One column of theirs may fill several of ours (Pipedrive's Type: kind and outcome).
        for column in self.our_columns:
            source = cleaned.get(f"column__{column}")
            constant = cleaned.get(f"constant__{column}", "").strip()
            if source and constant:
                self.add_error(
                    f"constant__{column}",
                    gettext("Either a column of your file or one value, not both."),
                )
            if column in self.required and not source and not constant:
                self.add_error(
                    f"column__{column}",
                    gettext(
                        "Choose the column of your file that holds %(column)s, or give one "
                        "value for every row."
                    )
                    % {"column": column},
                )
        return cleaned

    def mapping(self) -> Mapping:
        """The mapping chosen: the proposal's, with the columns, values and date format
        the person set."""
        base = self.proposal.mapping
        data = self.cleaned_data
        columns, joins, constants = {}, {}, {}
        for column in self.our_columns:
            source = data.get(f"column__{column}")
            constant = data.get(f"constant__{column}", "").strip()
            if source == JOINED:
                joins[column] = base.joins[column]
            elif source:
                columns[column] = source
            elif constant:
                constants[column] = constant
        values = {
            column: {
                value.strip().casefold(): data[f"value__{column}__{i}"]
                for i, value in enumerate(their_values)
                if data.get(f"value__{column}__{i}")
            }
            for column, (their_values, _) in self.value_lists.items()
            if column in columns
        }
        # Maps of the preset for columns not listed (e.g. an override's) stay.
        values = {**{c: v for c, v in base.values.items() if c in columns}, **values}
        formats = (data["date_format"], *(f for f in base.date_format if f != data["date_format"]))
        return replace(
            base,
            columns=columns,
            joins=joins,
            constants=constants,
            values=values,
            date_format=formats,
            overrides={c: o for c, o in base.overrides.items() if c in columns or c in joins},
            only_if={c: o for c, o in base.only_if.items() if c in columns or c in joins},
        )
