"""The API's documentation page, as a developer opens it: Swagger UI renders the portal's own
schema from its own files, under the same Content-Security-Policy as every page, with no
console error (the browser reports a refused inline script or style there)."""

import pytest

pytestmark = pytest.mark.browser


def test_the_api_documentation_renders_without_a_console_error(visitor):
    developer = visitor("developer")
    developer.page.goto("/api/docs/")
    # Swagger UI builds the page from /api/schema/ after it loads: wait for an operation.
    developer.page.locator(".opblock").first.wait_for(timeout=30_000)
    assert developer.page.locator(".opblock").count() > 10
    assert "Cluster Portal" in developer.page.locator(".info .title").inner_text()
    developer.check("api documentation")
