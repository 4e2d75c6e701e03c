"""The one way tests count the SQL statements something sends."""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(run: Callable[[], object]) -> int:
    """How many statements `run()` sends to the database."""
    with CaptureQueriesContext(connection) as captured:
        run()
    return len(captured.captured_queries)
