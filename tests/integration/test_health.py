"""Liveness and readiness, including a database server that goes away."""

from __future__ import annotations

from pathlib import Path

from litestar import Litestar
from litestar.testing import AsyncTestClient

from carevia.app import create_app
from carevia.embedded_db import EmbeddedDatabase
from carevia.settings import DatabaseSettings, Settings


async def test_healthz_and_readyz_answer_when_all_is_well(
    client: AsyncTestClient[Litestar],
) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {"status": "ready"}


async def test_readyz_turns_not_ready_when_the_database_server_stops(tmp_path: Path) -> None:
    server = EmbeddedDatabase(tmp_path / "db")
    server.start()
    try:
        settings = Settings(
            env="test",
            data_dir=tmp_path,
            database=DatabaseSettings(uri=server.uri, name="carevia_ready", timeout_ms=500),
        )
        async with AsyncTestClient(app=create_app(settings)) as client:
            assert (await client.get("/readyz")).status_code == 200
            server.stop()
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["status"] == "unavailable"
            assert (await client.get("/healthz")).status_code == 200
            page = await client.get("/services")
            assert page.status_code == 503
            assert "We cannot reach our database right now" in page.text
    finally:
        server.stop()
