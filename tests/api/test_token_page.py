"""Settings → API tokens (docs/api.md#tokens)."""

from api.models import ApiToken
from api.services import hash_token, token_create
from tests.api.conftest import ApiClient

PAGE = "/settings/api-tokens/"


def test_a_token_is_shown_once_and_works(client, rep):
    client.force_login(rep)
    created = client.post(PAGE, {"name": "laptop", "scope": "write"})
    assert created.status_code == 201
    raw = created.context["new"].raw
    assert raw in created.content.decode()
    assert ApiToken.objects.get().key_hash == hash_token(raw)
    assert ApiClient(raw).get("/api/v1/activities").status_code == 200
    again = client.get(PAGE).content.decode()
    assert raw not in again
    assert ApiToken.objects.get().prefix in again


def test_a_rep_sees_and_revokes_only_their_own(client, rep, other_team_rep):
    theirs = token_create(by=None, user=other_team_rep, name="theirs").token
    mine = token_create(by=None, user=rep, name="mine").token
    client.force_login(rep)
    page = client.get(PAGE).content.decode()
    assert "mine" in page
    assert "theirs" not in page
    assert client.post(f"{PAGE}{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"{PAGE}{mine.pk}/revoke/").status_code == 302
    mine.refresh_from_db()
    assert mine.revoked_at is not None


def test_an_admin_creates_a_token_for_any_active_user(client, admin, rep):
    client.force_login(admin)
    response = client.post(PAGE, {"user": rep.pk, "name": "integration", "scope": "read"})
    assert response.status_code == 201
    assert ApiToken.objects.get().user == rep
    rep.is_active = False
    rep.save()
    refused = client.post(PAGE, {"user": rep.pk, "name": "late", "scope": "read"})
    assert refused.status_code == 200
    assert ApiToken.objects.count() == 1


def test_a_rep_cannot_pick_another_user(client, rep, other_team_rep):
    client.force_login(rep)
    client.post(PAGE, {"user": other_team_rep.pk, "name": "sneaky", "scope": "write"})
    assert ApiToken.objects.get().user == rep


def test_an_admin_is_offered_as_me_not_a_second_time_by_name(client, admin, rep):
    client.force_login(admin)
    page = client.get(PAGE)
    users = page.context["form"].fields["user"]
    offered = [label for _, label in users.choices]
    assert offered[0] == "Me"
    assert rep.full_name in " ".join(map(str, offered))
    assert admin.full_name not in " ".join(map(str, offered[1:]))
    mine = client.post(PAGE, {"user": "", "name": "mine", "scope": "read"})
    assert mine.status_code == 201
    assert ApiToken.objects.get(name="mine").user == admin
