"""A delivery keeps our own reason for its last attempt (no answer, a refused URL, a
redirect not followed) as its message id and values in `last_reason`, said in the reader's
language when read (docs/i18n.md#stored-sentences); `last_answer` keeps only what the remote
answered. The deliveries written before hold our reason in English words in `last_answer`:
this reads them back into `last_reason`. Words that do not read back (the remote's, or a
reason written in another language) stay in `last_answer` and show as they were."""

import re

from django.db import migrations, models

# Our English reasons (webhooks.transport, webhooks.services) as they were written, and
# the message id each one reads back to.
FIXED = [
    "The endpoint is disabled.",
    "Connection refused.",
    "This is not a valid URL.",
    "Only http:// and https:// URLs can receive webhooks.",
    "The URL has no host.",
    "Put no user name or password in the URL; the signature proves us.",
]
PATTERNS = [
    (re.compile(r"^No answer within (?P<seconds>\d+) seconds\.$"),
     "No answer within %(seconds)s seconds."),
    (re.compile(r"^TLS error: (?P<error>.*)$", re.S), "TLS error: %(error)s"),
    (re.compile(r"^The host (?P<host>\S+) could not be found\.$"),
     "The host %(host)s could not be found."),
    (re.compile(
        r"^The host (?P<host>\S+) is a private or local address \((?P<address>[^)]+)\); "
        r"webhooks go to public addresses only\.$"
    ),
     "The host %(host)s is a private or local address (%(address)s); "
     "webhooks go to public addresses only."),
]  # fmt: skip
REDIRECT = re.compile(r"^Redirect to (?P<location>.*) not followed\.$", re.S)


def reason_from_answer(answer: str, status_code: int | None) -> dict | None:
    """Our reason as stored now, from the English words it was stored as; None for the
    remote's answer or words that do not read back."""
    if status_code is not None:
        if 300 <= status_code < 400 and (found := REDIRECT.match(answer)):
            return {
                "message": "Redirect to %(location)s not followed.",
                "params": found.groupdict(),
            }
        return None
    if answer in FIXED:
        return {"message": answer}
    for pattern, message in PATTERNS:
        if found := pattern.match(answer):
            params = found.groupdict()
            if "seconds" in params:
                params["seconds"] = int(params["seconds"])
            return {"message": message, "params": params}
    return None


def forwards(apps, schema_editor):
    Delivery = apps.get_model("webhooks", "Delivery")
    for delivery in Delivery.objects.exclude(last_answer="").only(
        "pk", "last_answer", "last_status_code"
    ).iterator():
        reason = reason_from_answer(delivery.last_answer, delivery.last_status_code)
        if reason is not None:
            Delivery.objects.filter(pk=delivery.pk).update(last_reason=reason, last_answer="")


def backwards(apps, schema_editor):
    """Our reasons back into English words, as they were stored."""
    Delivery = apps.get_model("webhooks", "Delivery")
    for delivery in Delivery.objects.exclude(last_reason=None).only("pk", "last_reason"):
        reason = delivery.last_reason
        text = reason.get("message", "")
        if reason.get("params"):
            try:
                text = text % reason["params"]
            except (KeyError, TypeError, ValueError):
                pass
        Delivery.objects.filter(pk=delivery.pk).update(last_answer=text[:500])


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="delivery",
            name="last_reason",
            field=models.JSONField(blank=True, null=True),
        ),
        migrations.RunPython(forwards, backwards),
    ]
