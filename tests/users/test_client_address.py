"""Sign-in buckets per client (docs/operations.md#the-clients-address): behind the shipped
proxy, the sign-in lockout and the password-reset limits count each client under its own
address, whatever X-Forwarded-For chain the client sends."""

from pathlib import Path

import pytest
from django.core import mail

from tests.factories import TEST_PASSWORD, RepFactory

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "/accounts/login/"
RESET = "/accounts/password/reset/"
NGINX = "10.0.0.2"  # the proxy's address: REMOTE_ADDR of every request


def through_proxy(spoofed: str | None, client: str) -> dict:
    """What the app receives from a request that passed one proxy which appends the address
    it was reached from (`$proxy_add_x_forwarded_for`, the old deploy/nginx.conf): whatever
    the client sent in X-Forwarded-For, then its real address."""
    chain = f"{spoofed}, {client}" if spoofed else client
    return {"REMOTE_ADDR": NGINX, "HTTP_X_FORWARDED_FOR": chain}


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def diego(team):
    return RepFactory(team=team, email="diego@demo.salestrack.test", full_name="Diego Torres")


@pytest.mark.parametrize(
    ("count", "remote", "forwarded_for", "expected"),
    [
        # Nothing in front: the header is ignored, whatever it says.
        (0, "198.51.100.7", "203.0.113.99", "198.51.100.7"),
        # The shipped nginx overwrites the header with the client's address.
        (1, NGINX, "198.51.100.7", "198.51.100.7"),
        # A client's own entries stand to the left of the proxy's and are never read.
        (1, NGINX, "203.0.113.99, 198.51.100.7", "198.51.100.7"),
        (1, NGINX, "1.1.1.1, 2.2.2.2, 198.51.100.7", "198.51.100.7"),
        # A corporate proxy's entry too: the address that reached our proxy counts.
        (1, NGINX, "192.168.4.20, 203.0.113.80", "203.0.113.80"),
        # Two proxies of ours (a TLS terminator in front of nginx): the second from the right.
        (2, NGINX, "203.0.113.99, 198.51.100.7, 192.0.2.10", "198.51.100.7"),
        # A port, IPv6.
        (1, NGINX, "198.51.100.7:51234", "198.51.100.7"),
        (1, NGINX, "[2001:db8::1]:443", "2001:db8::1"),
        # Not through our proxies as configured, or garbage: the address that connected.
        (2, NGINX, "198.51.100.7", NGINX),
        (1, NGINX, "", NGINX),
        (1, NGINX, "203.0.113.99, not-an-address", NGINX),
    ],
)
def test_the_client_address_is_read_from_the_trusted_end_of_the_chain(
    rf, settings, count, remote, forwarded_for, expected
):
    from users.auth import client_ip

    settings.TRUSTED_PROXY_COUNT = count
    request = rf.post(LOGIN, REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded_for)
    assert client_ip(request) == expected


def test_five_spoofed_failures_for_diego_do_not_lock_him_out_behind_a_corporate_proxy(
    client, behind_nginx, diego
):
    """The attacker at 198.51.100.66 sends its own X-Forwarded-For each time (a new one
    each try); diego signs in from behind his office's proxy, which adds its own entry.
    Both chains have two entries: the old reading counted both as the proxy's address."""
    for n in range(5):
        attempt = client.post(
            LOGIN,
            {"username": diego.email, "password": "guess"},
            **through_proxy(f"203.0.113.{n}", "198.51.100.66"),
        )
    assert attempt.status_code == 429  # the attacker's own address is locked out for diego

    office = client.post(
        LOGIN,
        {"username": diego.email, "password": TEST_PASSWORD},
        **through_proxy("192.168.4.20", "203.0.113.80"),
    )

    assert office.status_code == 302
    assert client.session["_auth_user_id"] == str(diego.pk)


def test_ten_spoofed_resets_do_not_rate_limit_an_unrelated_client(
    client, behind_nginx, diego, settings
):
    settings.PASSWORD_RESET_RATE_PER_ADDRESS = "10/h"
    for n in range(10):
        sent = client.post(
            RESET,
            {"email": f"x{n}@example.com"},
            **through_proxy(f"203.0.113.{n}", "198.51.100.66"),
        )
        assert sent.status_code == 302
    # A new spoofed entry does not buy the attacker an eleventh.
    refused = client.post(
        RESET, {"email": "x99@example.com"}, **through_proxy("203.0.113.250", "198.51.100.66")
    )
    assert refused.status_code == 429

    other = client.post(
        RESET, {"email": diego.email}, **through_proxy("192.168.4.20", "203.0.113.80")
    )

    assert other.status_code == 302
    assert [m.to for m in mail.outbox] == [[diego.email]]


def test_the_shipped_proxy_overwrites_x_forwarded_for_with_the_clients_address():
    conf = (ROOT / "deploy" / "nginx.conf").read_text()
    directives = [line.split("#")[0].strip() for line in conf.splitlines()]
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in directives
    assert not any("$proxy_add_x_forwarded_for" in line for line in directives)
