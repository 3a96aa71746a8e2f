"""The API as tests call it: a signed-in client and the check of the one error format."""

from rest_framework.test import APIClient


def client_for(user=None) -> APIClient:
    """A client signed in as `user` (a session, so each request loads the person afresh)."""
    client = APIClient()
    if user is not None:
        client.force_login(user)
    return client


def assert_error(response, status_code: int, code: str | None = None) -> dict:
    assert response.status_code == status_code, response.content
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["message"]
    if code is not None:
        assert body["code"] == code
    return body
