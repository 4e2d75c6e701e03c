"""Why a delivery got no answer is our own sentence: stored as its message id and values and
read in the reader's language (docs/i18n.md#stored-sentences); what the remote answered is
its data and reads as it came, whoever reads it."""

import html
import importlib

import pytest
from django.utils import translation

from tests.factories import EndpointFactory
from webhooks import services
from webhooks.models import Delivery, Event

URL = "/settings/webhooks/"
EN, ES, ZH = "en-gb", "es", "zh-hans"
NOBODY = "http://127.0.0.1:9/nobody-listens"  # the discard port: refused
REFUSED = {EN: "Connection refused.", ES: "Conexión rechazada.", ZH: "连接被拒绝。"}
TEST_SAID = {
    EN: f"The test did not reach {NOBODY}: Connection refused.",
    ES: f"La prueba no llegó a {NOBODY}: Conexión rechazada.",
    ZH: f"测试未能送达{NOBODY}：连接被拒绝。",
}

migration = importlib.import_module("webhooks.migrations.0002_delivery_last_reason")


def _page(client) -> str:
    return html.unescape(client.get(URL).content.decode())


@pytest.mark.parametrize("language", [EN, ES, ZH])
def test_a_refused_test_delivery_is_told_and_listed_in_the_admins_language(
    client, admin, settings, language
):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    endpoint = EndpointFactory(url=NOBODY)
    admin.language = language
    admin.save(update_fields=["language"])
    client.force_login(admin)

    told = client.post(f"{URL}{endpoint.pk}/test/", follow=True)

    assert TEST_SAID[language] in html.unescape(told.content.decode())
    delivery = Delivery.objects.get()
    assert (delivery.last_answer, delivery.last_reason) == ("", {"message": "Connection refused."})
    assert REFUSED[language] in _page(client)


def test_a_reason_stored_by_an_english_worker_reads_in_each_language(client, admin, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS = True
    endpoint = EndpointFactory(url=NOBODY, events=[Event.OPPORTUNITY_WON])
    [delivery] = services.publish(event=Event.OPPORTUNITY_WON, data={}, text="-")
    Delivery.objects.filter(pk=delivery.pk).update(
        last_reason={"message": "No answer within %(seconds)s seconds.", "params": {"seconds": 5}}
    )
    delivery.refresh_from_db()
    said = {
        EN: "No answer within 5 seconds.",
        ES: "Sin respuesta en 5 segundos.",
        ZH: "5秒内无响应。",
    }
    for language, text in said.items():
        with translation.override(language):
            assert delivery.answer_text == text
    assert endpoint.deliveries.count() == 1


def test_the_remotes_answer_reads_as_it_came_in_any_language(client, admin):
    endpoint = EndpointFactory()
    [delivery] = services.publish(event=Event.OPPORTUNITY_WON, data={}, text="-")
    # What the remote said (which happens to be one of our English sentences) is its data.
    Delivery.objects.filter(pk=delivery.pk).update(
        last_status_code=503, last_answer="Connection refused."
    )
    admin.language = ES
    admin.save(update_fields=["language"])
    client.force_login(admin)
    page = _page(client)
    assert "Connection refused." in page
    assert "Conexión rechazada." not in page
    assert endpoint.deliveries.get().answer_text == "Connection refused."


@pytest.mark.parametrize(
    ("answer", "status_code", "reason"),
    [
        ("Connection refused.", None, {"message": "Connection refused."}),
        ("The endpoint is disabled.", None, {"message": "The endpoint is disabled."}),
        (
            "No answer within 5 seconds.",
            None,
            {"message": "No answer within %(seconds)s seconds.", "params": {"seconds": 5}},
        ),
        (
            "TLS error: [SSL] certificate verify failed",
            None,
            {
                "message": "TLS error: %(error)s",
                "params": {"error": "[SSL] certificate verify failed"},
            },
        ),
        (
            "The host 10.0.0.1 is a private or local address (10.0.0.1); "
            "webhooks go to public addresses only.",
            None,
            {
                "message": "The host %(host)s is a private or local address (%(address)s); "
                "webhooks go to public addresses only.",
                "params": {"host": "10.0.0.1", "address": "10.0.0.1"},
            },
        ),
        (
            "Redirect to https://elsewhere.example/ not followed.",
            302,
            {
                "message": "Redirect to %(location)s not followed.",
                "params": {"location": "https://elsewhere.example/"},
            },
        ),
        # The remote's words, and words that do not read back, stay as they were.
        ("Connection refused.", 503, None),
        ("Conexión rechazada.", None, None),
        ("OSError: [Errno 101] Network is unreachable", None, None),
    ],
)
def test_the_migration_reads_old_english_reasons_back(answer, status_code, reason):
    assert migration.reason_from_answer(answer, status_code) == reason


def test_each_reason_the_migration_reads_back_is_a_message_in_the_catalogues():
    with translation.override(ES):
        for text in migration.FIXED:
            assert translation.gettext(text) != text
        for _, message in migration.PATTERNS:
            assert translation.gettext(message) != message


def test_the_migration_moves_our_old_words_and_leaves_the_remotes(db):
    from django.apps import apps

    EndpointFactory(events=[Event.OPPORTUNITY_WON])
    ours, theirs = (
        services.publish(event=Event.OPPORTUNITY_WON, data={}, text="-")[0] for _ in range(2)
    )
    Delivery.objects.filter(pk=ours.pk).update(last_answer="Connection refused.")
    Delivery.objects.filter(pk=theirs.pk).update(last_status_code=500, last_answer="Oops")

    migration.forwards(apps, None)

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.last_answer, ours.last_reason) == ("", {"message": "Connection refused."})
    assert (theirs.last_answer, theirs.last_reason) == ("Oops", None)
    with translation.override(ZH):
        assert (ours.answer_text, theirs.answer_text) == ("连接被拒绝。", "Oops")
