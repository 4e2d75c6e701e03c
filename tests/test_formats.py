"""How numbers read: a ratio as a percentage, a whole amount, money."""

from decimal import Decimal

import pytest

from core.formats import amount, money, money_column, percent, whole


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
    assert percent(2 / 3) == "66.7\u00a0%"
    assert percent(2 / 3, digits=0) == "67\u00a0%"
    assert percent(0.125, digits=2) == "12.50\u00a0%"
    assert percent(0.0) == "0.0\u00a0%"
    assert percent(None) == "—"


@pytest.mark.parametrize(
    ("value", "currency", "shown"),
    [
        (Decimal("25000.5"), "EUR", "€25,001"),
        (Decimal("1234567"), "USD", "$1,234,567"),
        (Decimal("0"), "GBP", "£0"),
        (Decimal("-300"), "USD", "−$300"),
        (Decimal("25000"), "CHF", "25,000\u00a0CHF"),
        (None, "EUR", "—"),
    ],
)
def test_an_amount_reads_with_its_currency(value, currency, shown):
    assert amount(value, currency) == shown


def test_a_deals_own_amount_reads_to_the_cent():
    assert amount(Decimal("25000.5"), "EUR", places=2) == "€25,000.50"
    assert amount(Decimal("1234"), "CHF", places=2) == "1,234.00\u00a0CHF"


def test_a_money_column_carries_the_currency_code():
    assert money_column("revenue_won", "EUR") == "revenue_won_eur"
    assert money_column("quota", "USD") == "quota_usd"
