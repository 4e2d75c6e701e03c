"""Form widgets written out in Python: the same HTML as Django's widget templates, without a
template render per input, option and radio (docs/architecture.md#front-end).

`PlainWidgets` is a form renderer (a form's `default_renderer`). The widget templates it
knows — inputs of every type, a radio's or checkbox's option, a <select> and its options,
a <textarea> — it writes itself, byte for byte what the template of that name writes
(tests/test_widgets.py renders each both ways); anything else (a whole radio list,
a form, error lists) goes to Django's templates as before."""

from django.forms.renderers import DjangoTemplates
from django.template import Context
from django.template.base import render_value_in_context
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe

# What a template's {{ value }} is written with: autoescape on, the project's localisation
# and time zone, as the forms' own template engine renders.
_CONTEXT = Context(autoescape=True)


def _out(value) -> str:
    """{{ value }}: a string is only escaped (localising leaves it as it is)."""
    if isinstance(value, str):
        return conditional_escape(value)
    return render_value_in_context(value, _CONTEXT)


def _as_s(value) -> str:
    """{{ value|stringformat:'s' }} ("%s" % value, a tuple as str(tuple)): a safe value
    stays safe."""
    text = str(value)
    if isinstance(value, SafeData):
        text = mark_safe(text)
    return _out(text)


def _attrs(attrs) -> str:
    """django/forms/widgets/attrs.html"""
    out = []
    for name, value in attrs.items():
        if value is not False:
            out.append(f" {_out(name)}" if value is True else f' {_out(name)}="{_as_s(value)}"')
    return "".join(out)


def _input(widget) -> str:
    """django/forms/widgets/input.html (and its type's templates, which include it)."""
    value = widget["value"]
    shown = "" if value is None else f' value="{_as_s(value)}"'
    return (
        f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{shown}'
        f"{_attrs(widget['attrs'])}>\n"
    )


def _input_option(widget) -> str:
    """django/forms/widgets/input_option.html: a radio's or a checkbox's option."""
    if not widget.get("wrap_label"):
        return _input(widget) + "\n"
    target = widget["attrs"].get("id")
    label_for = f' for="{_out(target)}"' if target else ""
    return f"<label{label_for}>{_input(widget)} {_out(widget['label'])}</label>\n"


def _select_option(widget) -> str:
    """django/forms/widgets/select_option.html"""
    return (
        f'<option value="{_as_s(widget["value"])}"{_attrs(widget["attrs"])}>'
        f"{_out(widget['label'])}</option>\n"
    )


def _select(widget) -> str | None:
    """django/forms/widgets/select.html; None when an option has a template of its own."""
    out = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            out.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option["template_name"] != SELECT_OPTION:
                return None
            out.append(f"\n  {_select_option(option)}")
        if group_name:
            out.append("\n  </optgroup>")
    out.append("\n</select>\n")
    return "".join(out)


def _textarea(widget) -> str:
    """django/forms/widgets/textarea.html"""
    value = widget["value"]
    shown = _out(value) if value else ""
    return (
        f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{shown}</textarea>\n'
    )


SELECT_OPTION = "django/forms/widgets/select_option.html"
INPUTS = (
    "input",
    "text",
    "number",
    "email",
    "url",
    "password",
    "hidden",
    "date",
    "datetime",
    "time",
    "search",
    "tel",
    "color",
    "checkbox",
)
WRITERS = {f"django/forms/widgets/{name}.html": _input for name in INPUTS} | {
    "django/forms/widgets/input_option.html": _input_option,
    "django/forms/widgets/radio_option.html": _input_option,
    "django/forms/widgets/checkbox_option.html": _input_option,
    SELECT_OPTION: _select_option,
    "django/forms/widgets/select.html": _select,
    "django/forms/widgets/textarea.html": _textarea,
}


class PlainWidgets(DjangoTemplates):
    """Django's form renderer, writing the common widgets without their templates. Use
    the one instance, `PLAIN_WIDGETS`: each instance builds its own template engine."""

    def render(self, template_name, context, request=None):
        writer = WRITERS.get(template_name)
        if writer is not None and (written := writer(context["widget"])) is not None:
            return mark_safe(written.strip())
        return super().render(template_name, context, request=request)


PLAIN_WIDGETS = PlainWidgets()
