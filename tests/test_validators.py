"""What names, phone numbers and free text may hold (core/validators.py): the bad
ones are refused, and real ones that look odd are not."""

import pytest
from django.core.exceptions import ValidationError

from core.validators import validate_free_text, validate_name, validate_phone


@pytest.mark.parametrize(
    "phone",
    [
        "+34 600 123 456",
        "(555) 123-4567",
        "(555) 123-4567 ext. 12",
        "555-1234 x12",
        "+44 (0)20 7946 0958",
        "+1-800-FLOWERS",
        "600\u00a0123\u00a0456",  # pasted with non-breaking spaces
        "555 0100, ext 12",
        "0034.600.123.456",
    ],
)
def test_real_phone_numbers_are_accepted(phone):
    validate_phone(phone)


@pytest.mark.parametrize("phone", ["=1+1", "call me", "<b>555</b>", "@555 0100", "12", "-555"])
def test_what_is_no_phone_number_is_refused(phone):
    with pytest.raises(ValidationError, match="Type a phone number"):
        validate_phone(phone)


@pytest.mark.parametrize(
    "name", ["+20 seats upsell", "@Home Realty", "-ing Labs", "O'Brien & Sons", "Zhōu Léi"]
)
def test_names_that_look_odd_but_are_real_are_accepted(name):
    validate_name(name)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("<script>alert(1)</script>", "Leave out < and >"),
        ("Acme <EU>", "Leave out < and >"),
        ("=cmd|' /C calc'!A0", "cannot start with ="),
        ("Ana\tGarcía", "control characters"),
        ("Ana\x85García", "control characters"),  # a C1 control (NEL)
    ],
)
def test_markup_formulas_and_control_characters_in_names_are_refused(name, message):
    with pytest.raises(ValidationError, match=message):
        validate_name(name)


def test_free_text_keeps_line_breaks_and_tabs_but_not_other_controls():
    validate_free_text("Called twice.\n\tAsked for a demo <next week>; =fine in notes")
    for bad in ("a\x00b", "a\x07b", "a\x85b"):
        with pytest.raises(ValidationError, match="control characters"):
            validate_free_text(bad)
