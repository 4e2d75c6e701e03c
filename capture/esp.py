"""Email services' webhooks, through django-anymail (docs/api.md#email-service-webhooks).

Anymail checks each request (the shared secret as HTTP basic auth and, where the provider
signs, its signature), turns the provider's payload into normalised tracking and inbound
events and sends them as signals. Here each is turned into the same `EmailEvent` the API
takes and recorded by the same service: nothing about email events is decided twice.
"""

import logging
import re

from django.conf import settings
from django.utils import timezone

from capture.email import EmailEvent, EventsRefused, record_email_events
from capture.models import EmailMessage

log = logging.getLogger(__name__)

# Anymail's normalised event types (anymail.signals.EventType) → the API's events. The rest
# (queued, deferred, autoresponded, subscribed, unknown…) say nothing about the outcome.
EVENT_OF_ANYMAIL = {
    "sent": "sent",
    "delivered": "delivered",
    "opened": "opened",
    "clicked": "clicked",
    "bounced": "bounced",
    "rejected": "bounced",
    "failed": "bounced",
    "complained": "complained",
    "unsubscribed": "unsubscribed",
}

# The metadata key a sender sets on each message to name its rep (e.g. Mailgun's
# `v:salestrack_rep`, Postmark's Metadata, SES's message tags, Brevo's X-Mailin-custom).
REP_METADATA = "salestrack_rep"

# The providers whose webhooks are served, by the URL's <esp>, with what each needs
# configured before it answers: the shared secret always, and the provider's own key
# where anymail checks a signature.
PROVIDERS = {
    "mailgun": ("MAILGUN_WEBHOOK_SIGNING_KEY",),
    "postmark": (),
    "amazon-ses": (),
    "brevo": (),
}

_ANGLES = re.compile(r"^\s*<(.*)>\s*$")


def message_key(message_id: str) -> str:
    """A message id as stored: without the angle brackets some providers keep."""
    match = _ANGLES.match(message_id or "")
    return (match.group(1) if match else message_id or "").strip()


def is_configured(provider: str) -> bool:
    """Whether the provider's webhook may answer: a shared secret and its own key."""
    anymail = getattr(settings, "ANYMAIL", {})
    if not anymail.get("WEBHOOK_SECRET"):
        return False
    return all(anymail.get(name) for name in PROVIDERS[provider])


def _sender(event) -> str:
    """The sending address, where the provider's payload has it (Mailgun, SES, Brevo)."""
    raw = event.esp_event
    if isinstance(raw, dict):
        data = raw.get("event-data") or {}
        for value in (
            (data.get("envelope") or {}).get("sender"),
            ((data.get("message") or {}).get("headers") or {}).get("from"),
            (raw.get("mail") or {}).get("source"),
            raw.get("sender_email"),
            raw.get("From"),
        ):
            if value:
                return str(value)
    return ""


def _address(value: str) -> str:
    """The address alone from `Ana Ruiz <ana@example.com>`."""
    match = re.search(r"<([^>]*)>", value or "")
    return (match.group(1) if match else value or "").strip()


def email_event_from_tracking(event) -> EmailEvent | None:
    """An anymail tracking event as the API's email event; None if it is no outcome."""
    name = EVENT_OF_ANYMAIL.get(event.event_type)
    if name is None or not event.message_id:
        return None
    metadata = event.metadata or {}
    rep = metadata.get(REP_METADATA) or _address(_sender(event))
    return EmailEvent(
        message_id=message_key(str(event.message_id)),
        event=name,
        rep_email=str(rep),
        to_email=_address(event.recipient or ""),
        timestamp=event.timestamp or timezone.now(),
    )


def record_tracking(sender, event, esp_name, **kwargs) -> None:
    """The receiver of anymail's `tracking` signal."""
    email_event = email_event_from_tracking(event)
    if email_event is None:
        log.info("%s event %s: not an email outcome, ignored", esp_name, event.event_type)
        return
    try:
        record_email_events([email_event], by=None, token_name=esp_name)
    except EventsRefused as refused:
        # A malformed event from the provider: say so in the log and answer 200, or the
        # provider retries a payload that will never be accepted.
        log.warning("%s event refused: %s", esp_name, refused.as_json())


def _replied_to(message) -> list[str]:
    """The message ids a received email answers (In-Reply-To, then References)."""
    ids = []
    for header in ("In-Reply-To", "References"):
        for value in message.get_all(header) or []:
            ids += re.findall(r"<([^>]+)>", str(value)) or str(value).split()
    return [message_key(value) for value in ids if value.strip()]


def _sent_message(ids: list[str]) -> EmailMessage | None:
    """The message a reply answers: by its id or, as SES and Postmark write the Message-ID
    header as `<their id@their domain>`, by the part before the @."""
    candidates = set(ids) | {value.split("@", 1)[0] for value in ids}
    candidates |= {f"<{value}>" for value in candidates}  # as the API may have stored it
    return (
        EmailMessage.objects.filter(message_id__in=candidates)
        .select_related("rep")
        .order_by("-first_event_at")
        .first()
    )


def record_inbound(sender, event, esp_name, **kwargs) -> None:
    """The receiver of anymail's `inbound` signal: a reply marks its message replied."""
    message = event.message
    if message is None:
        return
    sent = _sent_message(_replied_to(message))
    if sent is None:
        log.info("%s inbound email answers no message we know, ignored", esp_name)
        return
    reply = EmailEvent(
        message_id=sent.message_id,
        event="replied",
        rep_email=sent.rep.email,
        to_email=sent.to_email,
        timestamp=event.timestamp or message.date or timezone.now(),
    )
    record_email_events([reply], by=None, token_name=esp_name)
