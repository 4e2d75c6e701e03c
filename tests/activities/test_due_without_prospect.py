"""A follow-up logged with no prospect (issue 23 §6): the due list says what it was — its
kind, its day and its notes — so the rep knows whom to call, never "Follow up — No
prospect"."""

import re
from datetime import timedelta

from django.utils import timezone

from activities.models import Kind
from tests.factories import ActivityFactory


def item_text(page: str, activity) -> str:
    found = re.search(rf'id="due-follow-up-{activity.pk}">(.*?)</li>', page, re.S)
    assert found, "the follow-up is not in the due list"
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_a_follow_up_with_no_prospect_says_its_kind_day_and_notes(client, rep):
    today = timezone.localdate()
    call = ActivityFactory(
        rep=rep,
        prospect=None,
        kind=Kind.CALL,
        date=today - timedelta(days=2),
        follow_up_on=today,
        notes="Marisa at the bakery on Calle Mayor wants prices for 20 seats",
    )
    client.force_login(rep)

    text = item_text(client.get("/my-day/").text, call)

    assert "No prospect" not in text
    assert f"Call on {(today - timedelta(days=2)):%-d %b}" in text
    assert "Marisa at the bakery on Calle Mayor wants prices for 20 seats" in text
    assert f"follow up call on {(today - timedelta(days=2)):%-d %b}" in text  # the button's name
