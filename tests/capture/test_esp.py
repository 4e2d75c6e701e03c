"""The email services' webhooks (docs/api.md#email-service-webhooks): each provider's own
documented payloads (tracking and inbound, as django-anymail's test suite has them) posted to
/api/v1/events/email/<esp>/ end as the same email activity, outcome and rates as the API's
events."""

import base64
import hashlib
import hmac
import json
from datetime import timedelta
from textwrap import dedent

import pytest
from django.db.models import Sum
from django.utils import timezone

from activities.models import Activity, DailyRollup
from capture.email import EmailEvent, record_email_events
from capture.models import EmailMessage, UnmatchedEvent
from tests.factories import ProspectFactory, RepFactory

pytestmark = pytest.mark.django_db

SECRET = "hook:s3cret"
SIGNING_KEY = "key-test-signing"
AUTH = {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(SECRET.encode()).decode()}


@pytest.fixture(autouse=True)
def providers(settings):
    settings.ANYMAIL = {
        "WEBHOOK_SECRET": SECRET,
        "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY,
        "AMAZON_SES_AUTO_CONFIRM_SNS_SUBSCRIPTIONS": False,
        "BREVO_API_KEY": "",
    }


@pytest.fixture
def rep():
    return RepFactory(email="ana@example.com")


@pytest.fixture
def buyer(rep):
    return ProspectFactory(email="buyer@example.com", owner=rep)


def _moment(minutes_ago: int = 0):
    return timezone.now().replace(microsecond=0) - timedelta(minutes=minutes_ago)


def _rollup(rep) -> dict:
    return DailyRollup.objects.filter(rep=rep).aggregate(
        emails=Sum("emails"),
        bounced=Sum("emails_bounced"),
        opened=Sum("emails_opened"),
        replied=Sum("emails_replied"),
        unsubscribed=Sum("emails_unsubscribed"),
    )


def _only_activity(rep) -> Activity:
    (activity,) = Activity.objects.filter(rep=rep)
    return activity


# Mailgun: HMAC-signed JSON (https://documentation.mailgun.com/docs/mailgun/user-manual/
# tracking-messages/#securing-webhooks); user variables carry the rep.


def _mailgun(event: str, *, at, message_id="20261207101500.1.DF5966851B4BAA99@mg.example.org"):
    timestamp = f"{at.timestamp():.6f}"
    token = hashlib.sha256(f"{event}{timestamp}".encode()).hexdigest()[:50]
    signature = hmac.new(
        SIGNING_KEY.encode(), f"{int(at.timestamp())}{token}".encode(), hashlib.sha256
    ).hexdigest()
    return {
        "signature": {
            "timestamp": str(int(at.timestamp())),
            "token": token,
            "signature": signature,
        },
        "event-data": {
            "tags": [],
            "timestamp": float(timestamp),
            "id": "hTWCTD81RtiDN-" + event,
            "user-variables": {"salestrack_rep": "ana@example.com"},
            "log-level": "info",
            "envelope": {"sender": "ana@example.com", "targets": "buyer@example.com"},
            "message": {
                "headers": {
                    "to": "buyer@example.com",
                    "message-id": message_id,
                    "from": "Ana <ana@example.com>",
                    "subject": "Next week",
                },
            },
            "recipient": "buyer@example.com",
            "event": event,
        },
    }


def _post_mailgun(client, payload, **extra):
    return client.post(
        "/api/v1/events/email/mailgun/",
        data=json.dumps(payload),
        content_type="application/json",
        **{**AUTH, **extra},
    )


def test_mailgun_delivered_opened_and_a_reply_make_one_replied_email(client, rep, buyer):
    assert _post_mailgun(client, _mailgun("delivered", at=_moment(30))).status_code == 200
    assert _post_mailgun(client, _mailgun("opened", at=_moment(20))).status_code == 200
    # The same open again (providers retry): nothing changes.
    assert _post_mailgun(client, _mailgun("opened", at=_moment(20))).status_code == 200

    activity = _only_activity(rep)
    assert (activity.kind, activity.outcome, activity.source) == ("email", "opened", "email_event")
    assert activity.prospect == buyer
    assert activity.date == timezone.localdate(_moment(30))
    assert _rollup(rep) == {"emails": 1, "bounced": 0, "opened": 1, "replied": 0, "unsubscribed": 0}

    # The buyer answers; Mailgun forwards the raw MIME to the inbound route.
    reply_at = _moment(5)
    token = "06c96bafc3f42a66b9edd546347a2fe18dc23461fe80dc52f0"
    timestamp = str(int(reply_at.timestamp()))
    inbound = {
        "token": token,
        "timestamp": timestamp,
        "signature": hmac.new(
            SIGNING_KEY.encode(), f"{timestamp}{token}".encode(), hashlib.sha256
        ).hexdigest(),
        "recipient": "ana@example.com",
        "sender": "buyer@example.com",
        "body-mime": dedent(f"""\
            From: Buyer <buyer@example.com>
            Date: {reply_at.strftime("%a, %d %b %Y %H:%M:%S +0000")}
            Message-ID: <CAEPk3RKEx@mail.example.com>
            In-Reply-To: <20261207101500.1.DF5966851B4BAA99@mg.example.org>
            Subject: Re: Next week
            To: ana@example.com
            MIME-Version: 1.0
            Content-Type: text/plain; charset="UTF-8"

            Tuesday works.
            """),
    }
    response = client.post("/api/v1/events/email/mailgun/inbound/", data=inbound, **AUTH)
    assert response.status_code == 200

    activity.refresh_from_db()
    assert activity.outcome == "replied"
    assert Activity.objects.filter(rep=rep).count() == 1
    assert _rollup(rep) == {"emails": 1, "bounced": 0, "opened": 1, "replied": 1, "unsubscribed": 0}
    assert EmailMessage.objects.get().message_id == (
        "20261207101500.1.DF5966851B4BAA99@mg.example.org"
    )


def test_mailgun_refuses_a_bad_signature_and_a_missing_secret_writing_nothing(client, rep):
    forged = _mailgun("delivered", at=_moment())
    forged["signature"]["signature"] = "0" * 64
    assert _post_mailgun(client, forged).status_code == 400

    no_auth = client.post(
        "/api/v1/events/email/mailgun/",
        data=json.dumps(_mailgun("delivered", at=_moment())),
        content_type="application/json",
    )
    assert no_auth.status_code == 400

    wrong_secret = _post_mailgun(
        client,
        _mailgun("delivered", at=_moment()),
        HTTP_AUTHORIZATION="Basic " + base64.b64encode(b"hook:guess").decode(),
    )
    assert wrong_secret.status_code == 400
    assert not Activity.objects.exists()


def test_a_provider_answers_404_until_it_is_configured(client, settings, rep):
    settings.ANYMAIL = {"WEBHOOK_SECRET": "", "MAILGUN_WEBHOOK_SIGNING_KEY": SIGNING_KEY}
    response = _post_mailgun(client, _mailgun("delivered", at=_moment()))
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert "not configured" in response.json()["detail"]

    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}  # Mailgun still lacks its signing key
    assert _post_mailgun(client, _mailgun("delivered", at=_moment())).status_code == 404
    assert not Activity.objects.exists()


# Postmark: basic auth only; Metadata carries the rep; MessageID is Postmark's own id.


def _post_postmark(client, payload, path="/api/v1/events/email/postmark/"):
    return client.post(path, data=json.dumps(payload), content_type="application/json", **AUTH)


def test_postmark_delivery_then_bounce_then_a_reply(client, rep, buyer):
    message_id = "883953f4-6105-42a2-a16a-77a8eac79483"
    delivered = {
        "RecordType": "Delivery",
        "ServerId": 23,
        "MessageID": message_id,
        "Recipient": "buyer@example.com",
        "Tag": "",
        "Metadata": {"salestrack_rep": "ana@example.com"},
        "DeliveredAt": _moment(40).isoformat(),
        "Details": "Test delivery webhook details",
    }
    opened = {
        "RecordType": "Open",
        "FirstOpen": True,
        "MessageID": message_id,
        "Metadata": {"salestrack_rep": "ana@example.com"},
        "ReceivedAt": _moment(30).isoformat(),
        "Recipient": "buyer@example.com",
    }
    # The open arrives before the delivery: same row, same outcome.
    assert _post_postmark(client, opened).status_code == 200
    assert _post_postmark(client, delivered).status_code == 200
    activity = _only_activity(rep)
    assert (activity.outcome, activity.prospect) == ("opened", buyer)

    reply = {
        "FromFull": {"Email": "buyer@example.com", "Name": "Buyer", "MailboxHash": ""},
        "ToFull": [{"Email": "ana@example.com", "Name": "", "MailboxHash": ""}],
        "Subject": "Re: Next week",
        "MessageID": "22c74902-a0c1-4511-804f2-341342852c90",
        "Date": _moment(10).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "TextBody": "Tuesday works.",
        "Headers": [
            {"Name": "Message-ID", "Value": "<CAEPk3R+4Zr@mail.example.com>"},
            # Postmark writes the sent message's Message-ID as <its MessageID@mtasv.net>.
            {"Name": "In-Reply-To", "Value": f"<{message_id}@mtasv.net>"},
        ],
    }
    response = _post_postmark(client, reply, path="/api/v1/events/email/postmark/inbound/")
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.outcome == "replied"
    assert _rollup(rep) == {"emails": 1, "bounced": 0, "opened": 1, "replied": 1, "unsubscribed": 0}


def test_postmark_spam_complaint_is_the_highest_outcome(client, rep, buyer):
    message_id = "f4830d10-9c35-4f0c-bca3-3d9b459821f8"
    for payload in (
        {
            "RecordType": "SpamComplaint",
            "MessageID": message_id,
            "Metadata": {"salestrack_rep": "ana@example.com"},
            "Email": "buyer@example.com",
            "BouncedAt": _moment(5).isoformat(),
            "Type": "SpamComplaint",
            "TypeCode": 512,
        },
        {
            "RecordType": "Open",
            "MessageID": message_id,
            "Metadata": {"salestrack_rep": "ana@example.com"},
            "ReceivedAt": _moment(15).isoformat(),
            "Recipient": "buyer@example.com",
        },
    ):
        assert _post_postmark(client, payload).status_code == 200
    assert _only_activity(rep).outcome == "unsubscribed"
    assert _rollup(rep)["unsubscribed"] == 1


# Amazon SES: SNS notifications (text/plain JSON with its headers), basic auth; the rep
# from the message's sender when no metadata is set.


def _post_sns(client, path, ses_event, message_id):
    sns = {
        "Type": "Notification",
        "MessageId": message_id,
        "Message": json.dumps(ses_event) + "\n",
        "Timestamp": _moment().isoformat().replace("+00:00", "Z"),
    }
    return client.post(
        path,
        data=json.dumps(sns),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_ID=message_id,
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        **AUTH,
    )


def test_amazon_ses_send_and_bounce_with_the_rep_from_the_sender(client, rep, buyer):
    ses_id = "7c191be45-e9aedb9a-02f9-4d12-a87d-dd0099a07f8a-000000"
    mail = {
        "timestamp": _moment(50).isoformat().replace("+00:00", "Z"),
        "source": "Ana Ruiz <ana@example.com>",
        "messageId": ses_id,
        "destination": ["buyer@example.com"],
    }
    send = {"eventType": "Send", "mail": mail, "send": {}}
    bounce = {
        "eventType": "Bounce",
        "mail": mail,
        "bounce": {
            "bounceType": "Permanent",
            "bounceSubType": "General",
            "bouncedRecipients": [
                {"emailAddress": "buyer@example.com", "diagnosticCode": "smtp; 550 5.1.1"}
            ],
            "timestamp": _moment(49).isoformat().replace("+00:00", "Z"),
            "feedbackId": "0100015ea1f0cd58-2d39c8a0",
        },
    }
    path = "/api/v1/events/email/amazon-ses/"
    assert _post_sns(client, path, send, "19ba9823-1").status_code == 200
    assert _post_sns(client, path, bounce, "19ba9823-2").status_code == 200
    activity = _only_activity(rep)
    assert (activity.outcome, activity.prospect) == ("bounced", buyer)
    assert _rollup(rep) == {"emails": 1, "bounced": 1, "opened": 0, "replied": 0, "unsubscribed": 0}


def test_amazon_ses_refuses_mismatched_sns_headers_and_never_confirms_a_subscription(client, rep):
    path = "/api/v1/events/email/amazon-ses/"
    sns = {"Type": "SubscriptionConfirmation", "MessageId": "a1", "Token": "t", "TopicArn": "x"}
    mismatched = client.post(
        path,
        data=json.dumps(sns),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_ID="a1",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="Notification",
        **AUTH,
    )
    assert mismatched.status_code == 400
    # A genuine confirmation request is answered without calling AWS (auto-confirm is off).
    confirmation = client.post(
        path,
        data=json.dumps({**sns, "TopicArn": "arn:aws:sns:us-east-1:111111111111:SES_Tracking"}),
        content_type="text/plain; charset=UTF-8",
        HTTP_X_AMZ_SNS_MESSAGE_ID="a1",
        HTTP_X_AMZ_SNS_MESSAGE_TYPE="SubscriptionConfirmation",
        **AUTH,
    )
    assert confirmation.status_code == 200
    assert not Activity.objects.exists()


def test_amazon_ses_inbound_reply_marks_the_message_replied(client, rep, buyer):
    ses_id = "0100018c-aaaa-bbbb-cccc-000000000001-000000"
    mail = {
        "timestamp": _moment(60).isoformat().replace("+00:00", "Z"),
        "source": "ana@example.com",
        "messageId": ses_id,
        "destination": ["buyer@example.com"],
    }
    path = "/api/v1/events/email/amazon-ses/"
    assert _post_sns(client, path, {"eventType": "Send", "mail": mail}, "s1").status_code == 200
    mime = dedent(f"""\
        From: Buyer <buyer@example.com>
        To: ana@example.com
        Subject: Re: Next week
        Message-ID: <CAEPk3RKsi@mail.example.com>
        In-Reply-To: <{ses_id}@email.amazonses.com>
        Date: {_moment(5).strftime("%a, %d %b %Y %H:%M:%S +0000")}
        MIME-Version: 1.0
        Content-Type: text/plain; charset="UTF-8"

        Tuesday works.
        """)
    received = {
        "notificationType": "Received",
        "mail": {
            "source": "buyer@example.com",
            "timestamp": _moment(5).isoformat().replace("+00:00", "Z"),
            "messageId": "jili9m351il3gkburn7o2f0u6788stij94c8ld01",
            "destination": ["ana@example.com"],
        },
        "receipt": {
            "recipients": ["ana@example.com"],
            "action": {"type": "SNS", "encoding": "BASE64", "topicArn": "arn:x"},
            "spamVerdict": {"status": "PASS"},
        },
        "content": base64.b64encode(mime.encode()).decode(),
    }
    inbound = "/api/v1/events/email/amazon-ses/inbound/"
    assert _post_sns(client, inbound, received, "s2").status_code == 200
    assert _only_activity(rep).outcome == "replied"


# Brevo: basic auth; X-Mailin-custom carries the rep as JSON.


def test_brevo_delivered_opened_unsubscribed_and_an_inbound_reply(client, rep, buyer):
    message_id = "<202612071158.9876543210@smtp-relay.mailin.fr>"

    def tracking(event, minutes_ago):
        return {
            "event": event,
            "email": "buyer@example.com",
            "ts_epoch": int(_moment(minutes_ago).timestamp() * 1000),
            "message-id": message_id,
            "X-Mailin-custom": json.dumps({"salestrack_rep": "ana@example.com"}),
        }

    path = "/api/v1/events/email/brevo/"
    for event, minutes_ago in (("delivered", 30), ("unique_opened", 20)):
        response = client.post(
            path,
            data=json.dumps(tracking(event, minutes_ago)),
            content_type="application/json",
            **AUTH,
        )
        assert response.status_code == 200
    activity = _only_activity(rep)
    assert (activity.outcome, activity.prospect) == ("opened", buyer)

    reply = {
        "items": [
            {
                "Uuid": ["b2d8cbd7-2a6e-4b0c-8d1f-7f9e3c1c0001"],
                "MessageId": "<CAEPk3RKsi@mail.example.com>",
                "InReplyTo": message_id,
                "Headers": {
                    "Message-Id": "<CAEPk3RKsi@mail.example.com>",
                    "In-Reply-To": message_id,
                    "From": "Buyer <buyer@example.com>",
                    "To": "ana@example.com",
                    "Subject": "Re: Next week",
                    "Date": _moment(5).strftime("%a, %d %b %Y %H:%M:%S +0000"),
                },
                "RawTextBody": "Tuesday works.",
                # Brevo lists attachments to fetch from its API; nothing is fetched.
                "Attachments": [{"Name": "deck.pdf", "DownloadToken": "token"}],
            }
        ]
    }
    response = client.post(
        "/api/v1/events/email/brevo/inbound/",
        data=json.dumps(reply),
        content_type="application/json",
        **AUTH,
    )
    assert response.status_code == 200
    activity.refresh_from_db()
    assert activity.outcome == "replied"
    assert EmailMessage.objects.get().message_id == ("202612071158.9876543210@smtp-relay.mailin.fr")


def test_a_reply_to_a_message_we_never_saw_writes_nothing(client, rep):
    reply = {
        "FromFull": {"Email": "someone@example.com", "Name": "", "MailboxHash": ""},
        "ToFull": [{"Email": "ana@example.com", "Name": "", "MailboxHash": ""}],
        "Subject": "Hello",
        "MessageID": "22c74902-0000",
        "Date": _moment().strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "TextBody": "Hi",
        "Headers": [{"Name": "In-Reply-To", "Value": "<never-sent@example.org>"}],
    }
    response = _post_postmark(client, reply, path="/api/v1/events/email/postmark/inbound/")
    assert response.status_code == 200
    assert not Activity.objects.exists()


def test_an_event_of_an_unknown_sender_is_kept_for_the_admin_not_counted(client, rep):
    payload = _mailgun("delivered", at=_moment())
    payload["event-data"]["user-variables"] = {}
    payload["event-data"]["envelope"]["sender"] = "stranger@example.com"
    payload["event-data"]["message"]["headers"]["from"] = "stranger@example.com"
    assert _post_mailgun(client, payload).status_code == 200
    assert not Activity.objects.exists()
    (unmatched,) = UnmatchedEvent.objects.all()
    assert (unmatched.channel, unmatched.reason) == ("email", "unknown_rep")


def test_a_reply_finds_a_message_the_api_stored_with_its_angle_brackets(client, rep, buyer):
    record_email_events(
        [
            EmailEvent(
                message_id="<a1b2@mail.acme.example>",
                event="sent",
                rep_email=rep.email,
                to_email=buyer.email,
                timestamp=_moment(30),
            )
        ],
        by=None,
    )
    reply = {
        "FromFull": {"Email": "buyer@example.com", "Name": "Buyer", "MailboxHash": ""},
        "ToFull": [{"Email": "ana@example.com", "Name": "", "MailboxHash": ""}],
        "Subject": "Re: Next week",
        "MessageID": "22c74902-1111",
        "Date": _moment(5).strftime("%a, %d %b %Y %H:%M:%S +0000"),
        "TextBody": "Yes.",
        "Headers": [{"Name": "References", "Value": "<older@x.example> <a1b2@mail.acme.example>"}],
    }
    response = _post_postmark(client, reply, path="/api/v1/events/email/postmark/inbound/")
    assert response.status_code == 200
    assert _only_activity(rep).outcome == "replied"
