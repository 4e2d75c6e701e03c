"""`make load`: 50 reps logging activities and 10 managers reloading dashboards (LOAD_USERS
scales both), against
gunicorn on 127.0.0.1 with the large demo set, for a bounded time. Every logged activity
carries a unique note, so that `devtools.loadtest.verify` can check each is
stored exactly once.

The figures are taken after everyone has signed in: 60 password hashes (PBKDF2, slow on
purpose) on 2 cores are a storm of their own, reported on their own line and not mixed
into the pages' figures.

Only 127.0.0.1 is ever a target.
"""

import itertools
import os
import re
import time
import uuid
from datetime import date

from gevent.event import Event
from locust import HttpUser, between, events, task

PASSWORD = "salestrack-demo"
RUN = os.environ.get("LOAD_RUN_ID", uuid.uuid4().hex[:8])
LOG_FILE = os.environ.get("LOAD_LOG", "/tmp/salestrack-load-sent.txt")
REP_NUMBERS = itertools.count(9)  # rep009… (seed_demo's generated reps; 1–8 have names)
MANAGER_NUMBERS = itertools.count(3)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Browser users (`make load LOAD_USERS=120`): five reps logging for every manager reading.
USERS = int(os.environ.get("LOAD_USERS", "60"))
MANAGERS = USERS // 6
EVERYONE_IN = Event()
SIGN_INS = {"done": 0, "first": None, "summary": None}


def _signed_in(environment) -> None:
    """Wait until every user has signed in; the last one files the sign-in figures away and
    starts the pages' figures from zero."""
    SIGN_INS["done"] += 1
    if SIGN_INS["done"] == USERS:
        entry = environment.stats.get("sign in", "POST")
        SIGN_INS["summary"] = (
            f"sign in (password hashing, {entry.num_requests} users in "
            f"{time.monotonic() - SIGN_INS['first']:.0f} s, apart from the page figures): "
            f"p50 {entry.get_response_time_percentile(0.5)} ms, "
            f"p95 {entry.get_response_time_percentile(0.95)} ms, "
            f"p99 {entry.get_response_time_percentile(0.99)} ms, "
            f"{entry.num_failures} failures"
        )
        environment.stats.reset_all()
        EVERYONE_IN.set()
    EVERYONE_IN.wait(timeout=300)


@events.test_stop.add_listener
def _report_sign_ins(environment, **kwargs):
    print(SIGN_INS["summary"] or f"only {SIGN_INS['done']} of {USERS} users signed in")


class SignedIn(HttpUser):
    abstract = True
    host = "http://127.0.0.1:8100"

    def sign_in(self, email):
        SIGN_INS["first"] = SIGN_INS["first"] or time.monotonic()
        page = self.client.get("/accounts/login/", name="login form")
        token = TOKEN.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
            catch_response=True,
        ) as response:
            if "/accounts/login/" in response.url:
                response.failure(f"{email} could not sign in")
        _signed_in(self.environment)


class Rep(SignedIn):
    weight = 5
    fixed_count = USERS - MANAGERS
    wait_time = between(1, 3)

    def on_start(self):
        self.email = f"rep{next(REP_NUMBERS):03d}@demo.salestrack.test"
        self.sign_in(self.email)
        self.sent = 0

    @task(4)
    def log_activity(self):
        token = self.client.cookies.get("csrftoken")
        marker = f"load-{RUN}-{self.email}-{self.sent}"
        with self.client.post(
            "/my-day/log/",
            {
                "kind": "call",
                "outcome": "connected",
                "quantity": 1,
                "date": date.today().isoformat(),
                "prospect_status": "new",
                "notes": marker,
            },
            headers={"X-CSRFToken": token, "HX-Request": "true"},
            name="log activity",
            catch_response=True,
        ) as response:
            if response.status_code == 0:  # the connection failed: no answer at all
                response.failure(f"no answer: {response.error}")
            elif response.status_code == 200 and "Logged:" in response.text:
                self.sent += 1
                with open(LOG_FILE, "a", encoding="utf-8") as sent:
                    sent.write(marker + "\n")
            elif response.ok:
                response.failure("answered without logging")

    @task(1)
    def my_day(self):
        self.client.get("/my-day/", name="my day")


class Manager(SignedIn):
    weight = 1
    fixed_count = MANAGERS
    wait_time = between(2, 5)

    def on_start(self):
        self.sign_in(f"manager{next(MANAGER_NUMBERS):02d}@demo.salestrack.test")

    @task(3)
    def dashboard(self):
        self.client.get("/team/", name="team dashboard")

    @task(1)
    def leaderboard(self):
        self.client.get("/leaderboard/", name="leaderboard")


# Tools writing through the API beside the browser users (docs/api.md): `make load` makes a
# token for Ana (a named rep, not one of the rep009… browser users) and passes it here.
API_TOKEN = os.environ.get("LOAD_API_TOKEN", "")
API_BATCH = 100
WRITER_NUMBERS = itertools.count(1)


class ApiWriter(HttpUser):
    """Posts 100-activity batches with an Idempotency-Key; each activity's note is a marker
    that `verify` checks was stored exactly once."""

    weight = 1
    fixed_count = int(os.environ.get("LOAD_API_WRITERS", "5")) if API_TOKEN else 0
    wait_time = between(2, 5)
    host = "http://127.0.0.1:8100"

    def on_start(self):
        EVERYONE_IN.wait(timeout=300)  # the figures start once the browser users are in
        self.number = next(WRITER_NUMBERS)
        self.sent = 0

    @task
    def post_batch(self):
        markers = [f"load-{RUN}-api{self.number}-{self.sent}-{i}" for i in range(API_BATCH)]
        body = {
            "activities": [
                {
                    "date": date.today().isoformat(),
                    "kind": "call",
                    "outcome": "connected",
                    "prospect_status": "new",
                    "notes": marker,
                }
                for marker in markers
            ]
        }
        headers = {
            "Authorization": f"Bearer {API_TOKEN}",
            "Idempotency-Key": f"load-{RUN}-api{self.number}-{self.sent}",
        }
        with self.client.post(
            "/api/v1/activities",
            json=body,
            headers=headers,
            name=f"API: {API_BATCH} activities",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                self.sent += 1
                with open(LOG_FILE, "a", encoding="utf-8") as sent:
                    sent.write("\n".join(markers) + "\n")
            elif response.status_code == 0:
                response.failure(f"no answer: {response.error}")
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")
