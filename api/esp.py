"""The email services' webhooks at /api/v1/events/email/<esp>/ (docs/api.md#email-service-webhooks).

django-anymail's views check each request (the shared secret as HTTP basic auth; Mailgun's
HMAC signature; SES's SNS headers, with SNS subscriptions never confirmed by calling out)
and send their events as signals that `capture.esp` records. A provider answers only once
it is configured: until then its URL is a 404, never an open door.
"""

import logging

from anymail.webhooks.amazon_ses import AmazonSESInboundWebhookView, AmazonSESTrackingWebhookView
from anymail.webhooks.brevo import BrevoInboundWebhookView, BrevoTrackingWebhookView
from anymail.webhooks.mailgun import MailgunInboundWebhookView, MailgunTrackingWebhookView
from anymail.webhooks.postmark import PostmarkInboundWebhookView, PostmarkTrackingWebhookView
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from api.errors import problem
from capture.esp import PROVIDERS, is_configured

log = logging.getLogger(__name__)


class SESInbound(AmazonSESInboundWebhookView):
    """SES's inbound webhook for mail that comes in the notification itself: a message SES
    stored in S3 would have to be fetched, and nothing here calls out."""

    def esp_to_anymail_events(self, ses_event, sns_message):
        if (ses_event.get("receipt") or {}).get("action", {}).get("type") == "S3":
            log.warning("SES inbound: a message stored in S3 is not fetched; use an SNS action")
            return []
        return super().esp_to_anymail_events(ses_event, sns_message)


class BrevoInbound(BrevoInboundWebhookView):
    """Brevo's inbound webhook without fetching attachments from Brevo's API: a reply's
    headers are all that is read, and nothing here calls out."""

    def esp_to_anymail_event(self, esp_event):
        return super().esp_to_anymail_event({**esp_event, "Attachments": []})


VIEWS = {
    "mailgun": (MailgunTrackingWebhookView, MailgunInboundWebhookView),
    "postmark": (PostmarkTrackingWebhookView, PostmarkInboundWebhookView),
    "amazon-ses": (AmazonSESTrackingWebhookView, SESInbound),
    "brevo": (BrevoTrackingWebhookView, BrevoInbound),
}
assert set(VIEWS) == set(PROVIDERS)


def _when_configured(provider: str, view_class):
    view = view_class.as_view()

    @csrf_exempt
    def webhook(request, *args, **kwargs):
        if not is_configured(provider):
            return problem(
                404,
                _("The %(provider)s webhook is not configured on this server.")
                % {"provider": provider},
            )
        return view(request, *args, **kwargs)

    return webhook


urlpatterns = [
    route
    for provider, (tracking, inbound) in VIEWS.items()
    for route in (
        path(
            f"{provider}/",
            _when_configured(provider, tracking),
            name=f"email_webhook_{provider.replace('-', '_')}",
        ),
        path(
            f"{provider}/inbound/",
            _when_configured(provider, inbound),
            name=f"email_inbound_{provider.replace('-', '_')}",
        ),
    )
]
