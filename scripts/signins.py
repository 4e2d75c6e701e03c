"""60 sign-ins at once against a running server (docs/operations.md#passwords).

    python scripts/signins.py http://127.0.0.1:8100 60 ana@demo.salestrack.test …

Each of N threads fetches the sign-in page (its CSRF cookie and token), then all post their
credentials at the same moment; prints p50/p95/max of the POSTs (their 302, not the
landing page it leads to). Standard library only.
"""

import http.cookiejar
import re
import statistics
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """The sign-in's own answer (302 to the landing page), not the page it leads to."""

    def redirect_request(self, *args, **kwargs):
        return None


def session(base: str):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), _NoRedirect)
    page = opener.open(f"{base}/accounts/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    return opener, token


def main(base: str, count: int, emails: list[str], password: str) -> None:
    sessions = [session(base) for _ in range(count)]
    barrier = threading.Barrier(count)
    seconds: list[float] = [0.0] * count
    statuses: list[int] = [0] * count

    def sign_in(i: int) -> None:
        opener, token = sessions[i]
        body = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token,
                "username": emails[i % len(emails)],
                "password": password,
            }
        ).encode()
        request = urllib.request.Request(
            f"{base}/accounts/login/", data=body, headers={"Referer": f"{base}/accounts/login/"}
        )
        barrier.wait()
        start = time.perf_counter()
        try:
            response = opener.open(request)
            response.read()
            statuses[i] = response.status
        except urllib.error.HTTPError as answer:  # the 302 a sign-in answers
            statuses[i] = answer.code
        seconds[i] = time.perf_counter() - start

    threads = [threading.Thread(target=sign_in, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    ordered = sorted(seconds)
    p95 = ordered[max(0, round(0.95 * count) - 1)]
    print(
        f"{count} sign-ins at once: p50 {statistics.median(ordered):.2f} s, p95 {p95:.2f} s, "
        f"max {ordered[-1]:.2f} s; statuses {sorted(set(statuses))}"
    )


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]), sys.argv[3:], "salestrack-demo")
