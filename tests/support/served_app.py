"""The app on a real port in this process, for tests that need truly concurrent requests.

AsyncTestClient hands each request to the app one at a time, so races are tested over HTTP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import msgspec
import pytest
import uvicorn
from litestar import Litestar

from carevia.app import create_app
from carevia.embedded_db import free_loopback_port
from carevia.settings import Settings

RACE_BUDGET_MS = 10_000


@contextmanager
def app_on_a_free_port(settings: Settings) -> Iterator[str]:
    """A uvicorn server in a thread, sharing the test's database; yields its base URL."""
    with served(settings) as (base_url, _app):
        yield base_url


@contextmanager
def served(settings: Settings) -> Iterator[tuple[str, Litestar]]:
    """The same, yielding the app too, for tests that look at its state."""
    port = free_loopback_port()
    # Many writers contending for one document on a busy 2-core machine can wait out the
    # tests' 3 s database budget and get an honest 503. These tests are about who wins a race,
    # not how fast, so here the database gets more room.
    database = msgspec.structs.replace(settings.database, timeout_ms=RACE_BUDGET_MS)
    # Development cookies are not Secure, so a plain-http client keeps its session.
    app = create_app(
        msgspec.structs.replace(
            settings,
            env="development",
            public_base_url=f"http://127.0.0.1:{port}",
            database=database,
        )
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, name=f"app-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started, "the app did not start"
    try:
        yield f"http://127.0.0.1:{port}", app
    finally:
        server.should_exit = True
        thread.join(10)


@pytest.fixture
def served_app(settings: Settings) -> Iterator[str]:
    with app_on_a_free_port(settings) as base_url:
        yield base_url
