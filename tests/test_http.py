"""core/http.py: what the views' small helpers answer to malformed input."""

import pytest


@pytest.mark.parametrize(
    "url", ["/what-if/?rep=abc", "/pipeline/?rep=x1", "/activities/timeline/?prospect=abc"]
)
def test_malformed_ids_answer_404_not_500(client, manager, url):
    client.force_login(manager)
    assert client.get(url).status_code == 404
