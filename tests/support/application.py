"""The app under AsyncTestClient, and a live server for the browser tests."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from pymongo.asynchronous.database import AsyncDatabase

from carevia.app import create_app
from carevia.db import connected_database
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.catalogue.seed import seed_catalogue
from carevia.embedded_db import die_with_parent, free_loopback_port
from carevia.settings import DatabaseSettings, MailSettings, Settings
from tests.support.log_privacy import WATCH
from tests.support.mail import SMTPServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def settings(
    request: pytest.FixtureRequest, mongo_uri: str, database_name: str, tmp_path: Path
) -> Settings:
    """Test settings; tests marked `mails` send their email to a real SMTP server on loopback."""
    mail = MailSettings(host=None)
    if request.node.get_closest_marker("mails"):
        smtp: SMTPServer = request.getfixturevalue("smtp_server")
        mail = MailSettings(host="127.0.0.1", port=smtp.port, starttls=False)
    return settings_for(mongo_uri, database_name, tmp_path, mail)


def settings_for(
    mongo_uri: str, database_name: str, data_dir: Path, mail: MailSettings | None = None
) -> Settings:
    return Settings(
        env="test",
        public_base_url="https://testserver.local",
        data_dir=data_dir,
        database=DatabaseSettings(uri=mongo_uri, name=database_name, timeout_ms=3000),
        mail=mail or MailSettings(host=None),
    )


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app, base_url="https://testserver.local") as test_client:
        yield test_client


@pytest.fixture
async def database(settings: Settings) -> AsyncIterator[AsyncDatabase[dict[str, Any]]]:
    """The test's own connection to the app's database.

    AsyncTestClient runs the app on its own event loop, and an AsyncMongoClient belongs to
    one loop, so tests read and write through a client of their own.
    """
    async with connected_database(settings) as database:
        yield database


@pytest.fixture
async def seeded(database: AsyncDatabase[dict[str, Any]]) -> int:
    return await seed_catalogue(ServiceRepository(database), datetime.now(UTC), "BDT")


class LiveServer:
    """A running `carevia serve`; `environment` is what it was started with."""

    def __init__(
        self,
        base_url: str,
        process: subprocess.Popen[bytes],
        log: Path,
        mailbox: SMTPServer,
        environment: dict[str, str],
    ) -> None:
        self.base_url = base_url
        self.environment = environment
        self.process = process
        self.log = log
        self.mailbox = mailbox

    def create_user(self, email: str, name: str, role: str, password: str) -> None:
        """Through the real command, as an operator would."""
        subprocess.run(
            [
                sys.executable,
                "-m",
                "carevia",
                "users",
                "create",
                "--email",
                email,
                "--name",
                name,
                "--role",
                role,
                "--password-stdin",
            ],
            input=password + "\n",
            text=True,
            env=self.environment,
            check=True,
            capture_output=True,
            timeout=60,
        )


@pytest.fixture(scope="session")
def live_smtp_server() -> Iterator[SMTPServer]:
    server = SMTPServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def live_server(
    mongo_uri: str, live_smtp_server: SMTPServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """`carevia serve` on a free port, seeded, as a separate process like production."""
    port = free_loopback_port()
    workdir = tmp_path_factory.mktemp("live")
    environment = {
        **os.environ,
        "APP_ENV": "test",
        "MONGODB_URI": mongo_uri,
        "MONGODB_DB": f"carevia_e2e_{port}",
        "CAREVIA_DATA_DIR": str(workdir),
        "PUBLIC_BASE_URL": f"http://127.0.0.1:{port}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(live_smtp_server.port),
        "SMTP_STARTTLS": "false",
    }
    log = workdir / "server.log"
    with open(log, "wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "carevia", "serve", "--port", str(port), "--seed-if-new"],
            cwd=workdir,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
            # If pytest itself is killed (a test over its time limit), the server goes too.
            preexec_fn=die_with_parent,
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the live server exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.1)
    else:
        process.kill()
        raise RuntimeError(f"the live server did not become ready:\n{log.read_text()}")
    try:
        yield LiveServer(base_url, process, log, live_smtp_server, environment)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
        WATCH.scan_file(log)
