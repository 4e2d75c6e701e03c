"""Sending one webhook POST, safely (docs/api.md#outbound-webhooks).

Only http and https URLs; the host is resolved once, every address it resolves to is
checked (no private, loopback, link-local, multicast or reserved address unless
WEBHOOKS_ALLOW_PRIVATE_HOSTS), and the connection goes to the address that was checked, so
a name that resolves elsewhere a moment later (DNS rebinding) cannot reach inside. TLS is
still verified against the host name. Redirects are not followed; a connection or a read
gives up after TIMEOUT_SECONDS; only the first ANSWER_CHARS of an answer are read."""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext_noop

from core.reasons import Reason

TIMEOUT_SECONDS = 5
ANSWER_CHARS = 500
SCHEMES = {"http": 80, "https": 443}


class UrlRefused(ValueError):
    """A URL that is not ours to call: its message (a core.reasons.Reason) says why, for a
    person."""


@dataclass(frozen=True)
class Answer:
    status: int
    text: str  # the first ANSWER_CHARS characters of the body, as it came
    # Our own words instead of a body (a redirect not followed), said when read.
    reason: Reason | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_url(url: str) -> tuple[str, str, int, list[str]]:
    """(scheme, host, port, addresses) of a URL we may call; raises UrlRefused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise UrlRefused(Reason(gettext_noop("This is not a valid URL."))) from None
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES:
        raise UrlRefused(
            Reason(gettext_noop("Only http:// and https:// URLs can receive webhooks."))
        )
    host = parts.hostname
    if not host:
        raise UrlRefused(Reason(gettext_noop("The URL has no host.")))
    if parts.username or parts.password:
        raise UrlRefused(
            Reason(
                gettext_noop("Put no user name or password in the URL; the signature proves us.")
            )
        )
    port = port or SCHEMES[scheme]
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise UrlRefused(
            Reason(gettext_noop("The host %(host)s could not be found."), host=host)
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    inside = [a for a in addresses if not _allowed(a)]
    if inside and not settings.WEBHOOKS_ALLOW_PRIVATE_HOSTS:
        raise UrlRefused(
            Reason(
                gettext_noop(
                    "The host %(host)s is a private or local address (%(address)s); "
                    "webhooks go to public addresses only."
                ),
                host=host,
                address=inside[0],
            )
        )
    return scheme, host, port, addresses


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout)
        self.address = address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, port, *, address, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url`. Raises UrlRefused, or OSError / http.client.HTTPException
    for a network failure (no answer)."""
    scheme, host, port, addresses = check_url(url)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address=addresses[0], timeout=TIMEOUT_SECONDS)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        if 300 <= response.status < 400:
            location = response.getheader("Location", "?")[:ANSWER_CHARS]
            return Answer(
                response.status,
                "",
                Reason(gettext_noop("Redirect to %(location)s not followed."), location=location),
            )
        text = response.read(ANSWER_CHARS * 4).decode("utf-8", "replace")
        return Answer(response.status, text[:ANSWER_CHARS])
    finally:
        connection.close()


def describe(error: Exception) -> Reason:
    """A network failure in a few words, for the deliveries list: a Reason, stored as its
    message id and values and said in the reader's language (docs/i18n.md#stored-sentences)."""
    if isinstance(error, UrlRefused) and isinstance(error.args[0], Reason):
        return error.args[0]
    if isinstance(error, TimeoutError | socket.timeout):
        return Reason(
            gettext_noop("No answer within %(seconds)s seconds."), seconds=TIMEOUT_SECONDS
        )
    if isinstance(error, ConnectionRefusedError):
        return Reason(gettext_noop("Connection refused."))
    if isinstance(error, ssl.SSLError):
        return Reason(gettext_noop("TLS error: %(error)s"), error=str(error)[:ANSWER_CHARS])
    # Anything else: the error as Python words it (machine text, no message id).
    return Reason(f"{type(error).__name__}: {error}"[:ANSWER_CHARS])
