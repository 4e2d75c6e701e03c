"""My day, the rep's home: the quick add and the tally, the day picker, the prospect picker."""

from datetime import date, timedelta
from urllib.parse import quote

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop, ngettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import (
    trigger_client_event,
)

from activities import selectors, services
from activities.forms import (
    ActivityForm,
    TallyForm,
    outcome_choices,
)
from activities.models import Kind, Outcome, ProspectStatus
from activities.views.common import add_service_errors, day_asked, my_day_url
from core.dates import dated
from core.http import render_page
from pipeline.selectors import (
    prospect_search,
    prospects_visible_to,
)
from users.access import role_required
from users.models import Role

rep_required = role_required(Role.REP)


DAY_ROWS = 25  # the rest of a busy day is one click away ("Show all")


# A booked meeting's outcome, one click each on the Due list (cancelled is an edit).
MEETING_DONE_BUTTONS = [
    (Outcome.HELD_POSITIVE, _("Positive")),
    (Outcome.HELD_NEUTRAL, _("Neutral")),
    (Outcome.HELD_NEGATIVE, _("Negative")),
    (Outcome.NO_SHOW, _("No-show")),
]


def _move_options(today):
    """The Due list's "move to" buttons: (day, its ISO date for the form, label)."""
    days = [
        (today + timedelta(days=1), gettext("Tomorrow")),
        (today + timedelta(days=7 - today.weekday()), gettext("Next week")),
    ]
    return [(day, day.isoformat(), label) for day, label in days]


def _day_picker(today):
    return [today - timedelta(days=back) for back in range(services.EDIT_WINDOW_DAYS + 1)]


def my_day_context(request, *, form=None, tally=None, day=None):
    rep = request.user
    today = timezone.localdate()
    day = day or day_asked(request)
    last_kind = selectors.last_kind_logged(rep) or Kind.CALL
    picked = form.cleaned_data.get("prospect") if form is not None and form.is_bound else None
    show_all = request.GET.get("rows") == "all"
    activities = selectors.activities_on(rep, rep=rep, day=day)
    activities = _rows(list(activities if show_all else activities[:DAY_ROWS]), day)
    return {
        "picked": picked,
        "picked_status": (
            ProspectStatus(selectors.prospect_status_on(picked, form.cleaned_data["date"]))
            if picked and form.cleaned_data.get("date")
            else None
        ),
        "today": today,
        "day": day,
        "days": _day_picker(today),
        "form": form or ActivityForm(rep=rep, initial={"kind": last_kind, "date": day}),
        "tally": tally or TallyForm(initial={"date": day}),
        "activities": activities,
        "day_rows": len(activities),
        "totals": selectors.day_totals(rep, rep=rep, day=day),
        "due": _due_rows(selectors.due_list(rep, rep=rep, today=today)),
        "meeting_outcomes": MEETING_DONE_BUTTONS,
        "move_options": _move_options(today),
        "edit_window_days": services.EDIT_WINDOW_DAYS,
    }


# The words every row of the day's list says, translated once for the list rather than
# once a row (each look-up walks the catalogue's fallbacks).
ROW_WORDS = {
    "new": pgettext_lazy("prospect", "New"),
    "existing": pgettext_lazy("prospect", "Existing"),
    "tally": _("Tally"),
    "locked_why": _("Dated before the edit window: your manager or an admin corrects it"),
    "locked": _("Locked"),
    "edit": _("Edit"),
    "delete_confirm": _("Delete this activity?"),
    "delete": _("Delete"),
    "history": _("History"),
}


def _rows(activities, day):
    """What each row of the day's list shows: whether it is locked, its links — reversed
    once for the list rather than three times a row —, its kind and outcome, and what it
    is called in its buttons' hidden names (three a row), worked out once a row and each
    label translated once for the list."""
    now = timezone.now()
    words = {key: str(word) for key, word in ROW_WORDS.items()}
    kinds, outcomes = {}, {}  # each label looked up once for the list
    day_param = day.isoformat()
    pattern = {
        name: reverse(f"activities:{name}", args=[0])
        for name in ("activity_edit", "activity_delete", "activity_history")
    }
    back = quote(f"{reverse('activities:my_day')}?day={day_param}", safe="/")
    for activity in activities:
        here = f"/{activity.pk}/"
        activity.locked = services.is_locked(activity, now=now)
        if activity.kind not in kinds:
            kinds[activity.kind] = activity.get_kind_display()
        if activity.outcome not in outcomes:
            outcomes[activity.outcome] = activity.get_outcome_display()
        activity.kind_label = kinds[activity.kind]
        activity.outcome_label = outcomes[activity.outcome]
        activity.label = activity.described(activity.kind_label, activity.outcome_label)
        activity.words = words
        activity.edit_url = pattern["activity_edit"].replace("/0/", here) + f"?day={day_param}"
        activity.delete_url = pattern["activity_delete"].replace("/0/", here) + f"?day={day_param}"
        activity.history_url = pattern["activity_history"].replace("/0/", here) + f"?next={back}"
    return activities


def _logged(request, activity, totals, answer):
    """The answer to a logged activity, when it is for the day the list shows and the list
    already had rows: the fresh form, the new row at the top of the list, the day's totals
    (and the Due list when the activity is a follow-up or a booked meeting) — not the whole
    day's list again. Logging is the most frequent request of all."""
    answer |= {
        "totals": totals,
        # The rows the list shows once the new one is at its top.
        "day_rows": min(totals["rows"] - 1, DAY_ROWS) + 1,
        "logged_rows": _rows([activity], answer["day"]),
    }
    if activity.follow_up_on or activity.outcome == Outcome.SCHEDULED:
        answer["due"] = _due(request)
    return _answer(request, "logged", answer)


def _due(request):
    return _due_rows(selectors.due_list(request.user, rep=request.user, today=timezone.localdate()))


# What the Due list says of an item, marked here and translated once an answer: looked up
# once for the list rather than up to four times an item (the catalogue's fallbacks make
# each look-up cost, BENCHMARKS.md "Issue 28: My day and the log POST").
DUE_WORDS = {
    "meeting_badge": gettext_noop("Meeting"),
    "follow_up_badge": gettext_noop("Follow up"),
    "done": gettext_noop("Done"),
    "kind_on_day": gettext_noop("%(kind)s on %(day)s"),
    "after_notes": gettext_noop("after a %(kind)s on %(day)s: %(notes)s"),
    "after": gettext_noop("after a %(kind)s on %(day)s"),
    "meeting": gettext_noop("meeting with %(name)s"),
    "move_meeting": gettext_noop("move the meeting with %(name)s"),
    "move_meeting_kind": gettext_noop("move the meeting with the %(kind)s on %(day)s"),
    "follow_up": gettext_noop("follow up %(name)s"),
    "follow_up_kind": gettext_noop("follow up %(kind)s on %(day)s"),
    "move_follow_up": gettext_noop("move the follow-up of %(name)s"),
    "move_follow_up_kind": gettext_noop("move the follow-up of the %(kind)s on %(day)s"),
}


def _due_rows(due):
    """The Due list as the page shows it: each item's buttons' two links (reversed once for
    the list) and its words — what it was, and what each button does in its hidden name,
    up to six a follow-up — worked out here rather than in the template's loop, each
    sentence, kind and day translated once for the list."""
    pattern = {name: reverse(f"activities:{name}", args=[0]) for name in ("due_done", "due_move")}
    words = {key: gettext(message) for key, message in DUE_WORDS.items()}
    kinds = {kind: str(label) for kind, label in Kind.choices}
    days = {}
    for name, items in due["groups"].items():
        rows = []
        for item in items:
            day = item.activity.date
            if day not in days:
                days[day] = dated(day, "j M")
            rows.append(DueRow(item, pattern, words, kinds[item.activity.kind], days[day]))
        due["groups"][name] = rows
    return due


def _said(translated, **values):
    """`translated` filled in as `{% blocktranslate with … %}` does: the values escaped, the
    translator's words as they are."""
    return mark_safe(translated % {key: conditional_escape(v) for key, v in values.items()})


class DueRow:
    """One item of the Due list (selectors.DueItem) with what the page says of it: `words`
    are DUE_WORDS translated, `kind` and `day` the activity's kind and day as read."""

    def __init__(self, item, pattern, words, kind, day):
        activity, here = item.activity, f"/{item.activity.pk}/"
        self.activity, self.on, self.is_meeting = activity, item.on, item.is_meeting
        self.key = item.key
        self.badge = words["meeting_badge" if item.is_meeting else "follow_up_badge"]
        self.done = words["done"]
        self.done_url = pattern["due_done"].replace("/0/", here)
        self.move_url = pattern["due_move"].replace("/0/", here)
        name = activity.prospect.name if activity.prospect else None
        lower, self.kind_on_day = kind.lower(), None
        if name is None:  # what it was (kind, day, notes) says whom to call
            self.kind_on_day = _said(words["kind_on_day"], kind=kind, day=day)
            self.after = None
        elif activity.notes:
            notes = Truncator(activity.notes).chars(60)
            self.after = _said(words["after_notes"], kind=lower, day=day, notes=notes)
        else:
            self.after = _said(words["after"], kind=lower, day=day)
        if item.is_meeting:
            self.done_what = _said(words["meeting"], name=name or "")
            self.move_what = (
                _said(words["move_meeting"], name=name)
                if name is not None
                else _said(words["move_meeting_kind"], kind=lower, day=day)
            )
        else:
            self.done_what = (
                _said(words["follow_up"], name=name)
                if name is not None
                else _said(words["follow_up_kind"], kind=lower, day=day)
            )
            self.move_what = (
                _said(words["move_follow_up"], name=name)
                if name is not None
                else _said(words["move_follow_up_kind"], kind=lower, day=day)
            )


def _answer(request, partial, context):
    """An htmx answer in one render of `partial`, which puts the parts of My day it changes
    out of band; an "activity-logged" event tells the rest of the page (today's targets)."""
    context["oob"] = True
    response = render(request, f"activities/my_day.html#{partial}", context)
    return trigger_client_event(response, "activity-logged")


@rep_required
def my_day(request):
    context = my_day_context(request)
    if request.htmx and request.htmx.target == "today":
        return render(request, "activities/my_day.html#today", context)
    return render(request, "activities/my_day.html", context)


@require_POST
@rep_required
def quick_add(request):
    form = ActivityForm(request.POST, rep=request.user)
    if form.is_valid():
        try:
            activity = services.activity_log_with_new(
                by=request.user, rep=request.user, **form.service_kwargs(), **form.new_records()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            if not request.htmx:
                messages.success(request, gettext("Logged: %(activity)s.") % {"activity": activity})
                return redirect(my_day_url(day_asked(request)))
            fresh = ActivityForm(
                rep=request.user,
                initial={"kind": activity.kind, "date": form.cleaned_data["date"]},
            )
            today, shown_day = timezone.localdate(), day_asked(request)
            answer = {
                "form": fresh,
                "just_logged": activity,
                "today": today,
                "day": shown_day,
                "days": _day_picker(today),
                "edit_window_days": services.EDIT_WINDOW_DAYS,
                "meeting_outcomes": MEETING_DONE_BUTTONS,
                "move_options": _move_options(today),
            }
            if activity.date != shown_day:
                # Logged for another day than the one shown: that day's list and totals
                # are as they were. The Due list changes with a follow-up, a booked
                # meeting, or a touch that takes a prospect off "going cold".
                changes_due = activity.follow_up_on or activity.outcome == Outcome.SCHEDULED
                if changes_due or activity.prospect_id:
                    answer["due"] = _due(request)
                return _answer(request, "quick-add-and-day", answer)
            if request.POST.get("rows") != "all":
                totals = selectors.day_totals(request.user, rep=request.user, day=shown_day)
                if totals["rows"] > 1:  # the list had rows: add this one to them
                    return _logged(request, activity, totals, answer)
            context = my_day_context(request, form=fresh)
            context |= {"just_logged": activity, "day_changed": True}
            return _answer(request, "quick-add-and-day", context)
    context = my_day_context(request, form=form)
    context["new_prospect"] = _new_prospect_panel(form)
    return render_page(request, "activities/my_day.html", context, partial="quick-add")


def _new_prospect_panel(form):
    """Whether the form's prospect picker shows the "new prospect" fields again."""
    return bool(form.data.get("new_prospect_name", "").strip())


@require_POST
@rep_required
def tally(request):
    form = TallyForm(request.POST)
    if form.is_valid():
        try:
            rows = services.activity_log_tally(
                by=request.user,
                rep=request.user,
                date=form.cleaned_data["date"],
                lines=form.lines(),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            total = sum(row.quantity for row in rows)
            if not request.htmx:
                messages.success(
                    request,
                    ngettext(
                        "Saved the tally: %(count)s activities.",
                        "Saved the tally: %(count)s activities.",
                        total,
                    )
                    % {"count": total},
                )
                return redirect(my_day_url(day_asked(request)))
            context = my_day_context(request)
            context["tally_saved"] = total
            return _answer(request, "tally-and-day", context)
    context = my_day_context(request, tally=form)
    return render_page(request, "activities/my_day.html", context, partial="tally")


@require_GET
@rep_required
def outcome_options(request):
    """The outcome <option>s of the kind just chosen (htmx swaps them in). The kind may
    come from a prefixed form (edit-12-kind)."""
    kind = next((v for k, v in request.GET.items() if k.endswith("kind")), "")
    choices = outcome_choices(kind) if kind in Kind.values else Outcome.choices
    return render(request, "activities/my_day.html#outcome-options", {"choices": choices})


@require_GET
@rep_required
def prospect_results(request):
    """The options of the prospect combobox: the team's prospects matching what was typed,
    then "+ New prospect …" (and for a meeting "… with a new opportunity") when no
    prospect has exactly that name."""
    query = " ".join(request.GET.get("q", "").split())
    prospects = list(prospect_search(request.user, query))
    exact = any(p.name.casefold() == query.casefold() for p in prospects)
    return render(
        request,
        "activities/my_day.html#prospect-results",
        {
            "prospects": prospects,
            "query": query,
            "offer_new": bool(query) and not exact,
            "is_meeting": request.GET.get("kind") == Kind.MEETING,
        },
    )


@require_GET
@rep_required
def prospect_pick(request, pk):
    """The picked prospect, with whether this activity will count as new or existing."""
    prospect = get_object_or_404(prospects_visible_to(request.user), pk=pk)
    try:
        day = date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    status = selectors.prospect_status_on(prospect, day)
    return render(
        request,
        "activities/my_day.html#prospect-picked",
        {"picked": prospect, "picked_status": ProspectStatus(status)},
    )


@require_GET
@rep_required
def prospect_new(request):
    """The picker turned into a new prospect's fields, filled with what was typed. (For a
    meeting, "… and a new opportunity" also ticks the new-opportunity box: logging.js does
    that in the page, so nothing the rep typed there is replaced.)"""
    name = " ".join(request.GET.get("q", "").split())
    form = ActivityForm(rep=request.user, initial={"new_prospect_name": name})
    return render(
        request, "activities/my_day.html#prospect-picker", {"form": form, "new_prospect": True}
    )


@require_GET
@rep_required
def prospect_clear(request):
    context = {"form": ActivityForm(rep=request.user)}
    return render(request, "activities/my_day.html#prospect-picker", context)
