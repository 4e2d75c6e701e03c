"""The signature of a delivery (docs/api.md#outbound-webhooks), as pure functions: what the
sender writes into X-SalesTrack-Signature and what a receiver checks. No Django here."""

import hashlib
import hmac

# How old a signature a receiver should accept (replays of an old body are refused).
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The header's value: `t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`, keyed with
    the endpoint's secret (its UTF-8 bytes, prefix and all)."""
    signed = f"{timestamp}.".encode() + body
    digest = hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: str, header: str, body: bytes, *, now: int, tolerance=TOLERANCE_SECONDS) -> bool:
    """What a receiver does: the header is well formed, recent, and one of its v1 digests
    matches (compared in constant time)."""
    parts = [part.partition("=") for part in header.split(",")]
    stamps = [value for key, _, value in parts if key.strip() == "t"]
    digests = [value.strip() for key, _, value in parts if key.strip() == "v1"]
    if len(stamps) != 1 or not stamps[0].strip().isdigit() or not digests:
        return False
    timestamp = int(stamps[0])
    if abs(now - timestamp) > tolerance:
        return False
    expected = signature(secret, timestamp, body).partition(",v1=")[2]
    return any(hmac.compare_digest(expected, digest) for digest in digests)
