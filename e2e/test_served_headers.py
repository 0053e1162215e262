"""What `carevia serve` itself adds to answers: no header that names the server software."""

from __future__ import annotations

import httpx
from tests.support.application import LiveServer


def test_answers_from_the_real_server_do_not_name_its_software(live_server: LiveServer) -> None:
    for path in ("/", "/login", "/healthz", "/no-such-page", "/static/css/app.css"):
        response = httpx.get(live_server.base_url + path, timeout=10)
        assert "server" not in response.headers, path
        assert "x-powered-by" not in response.headers, path
        assert response.headers["x-content-type-options"] == "nosniff", path
