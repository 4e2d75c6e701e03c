"""How numbers read: a ratio as a percentage, a whole amount, money."""

from decimal import Decimal

import pytest

from core.formats import money, percent, whole


@pytest.mark.parametrize(
    ("value", "shown"), [(Decimal("25000"), "25000.00"), (Decimal("0.005"), "0.01"), (None, None)]
)
def test_money_is_a_decimal_string(value, shown):
    assert money(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "—"),
        ("", "—"),
        (0, "0"),
        (Decimal("0.5"), "1"),  # half up, not to the even 0
        (Decimal("2.5"), "3"),
        (Decimal("25000.5"), "25,001"),
        (1234567, "1,234,567"),
        ("4999.49", "4,999"),
    ],
)
def test_whole_amounts_for_people(value, shown):
    assert whole(value) == shown


def test_percent_for_people():
    assert percent(2 / 3) == "66.7 %"
    assert percent(2 / 3, digits=0) == "67 %"
    assert percent(0.125, digits=2) == "12.50 %"
    assert percent(0.0) == "0.0 %"
    assert percent(None) == "—"
