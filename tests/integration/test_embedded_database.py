"""The embedded database process: persistence, and no orphan when the app dies."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from carevia.embedded_db import EmbeddedDatabase, free_loopback_port


def test_data_survives_a_restart(tmp_path: Path) -> None:
    server = EmbeddedDatabase(tmp_path / "db")
    server.start()
    with MongoClient[dict[str, Any]](server.uri) as client:
        client.carevia.notes.insert_one({"_id": "kept", "text": "still here"})
    server.stop()

    restarted = EmbeddedDatabase(tmp_path / "db")
    restarted.start()
    try:
        with MongoClient[dict[str, Any]](restarted.uri) as client:
            assert client.carevia.notes.find_one({"_id": "kept"}) == {
                "_id": "kept",
                "text": "still here",
            }
    finally:
        restarted.stop()


def _children(pid: int) -> list[int]:
    """Children started by any thread of `pid`."""
    found: list[int] = []
    for path in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            found += [int(p) for p in path.read_text().split()]
        except FileNotFoundError:  # the thread ended meanwhile
            continue
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.split(") ", 1)[1][0] != "Z"


def _serve_without_uri(data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    """`carevia serve` with its own embedded database; its output goes to `server.log`."""
    port = free_loopback_port()
    environment = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"}
    environment.update(APP_ENV="test", CAREVIA_DATA_DIR=str(data_dir))
    with open(data_dir / "server.log", "wb") as log:
        app = subprocess.Popen(
            [sys.executable, "-m", "carevia", "serve", "--port", str(port)],
            cwd=data_dir,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base_url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base_url}/readyz", timeout=1).status_code == 200:
                return app, base_url
        except httpx.HTTPError:
            time.sleep(0.1)
    app.kill()
    raise AssertionError("carevia serve did not become ready")


def _send_contact_message(base_url: str, message: str) -> None:
    with httpx.Client(base_url=base_url) as browser:
        form = browser.get("/contact").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
        assert token is not None
        # The cookies are Secure outside development; over plain http they go by hand.
        cookies = "; ".join(f"{c.name}={c.value}" for c in browser.cookies.jar)
        sent = browser.post(
            "/contact",
            headers={"Cookie": cookies},
            data={
                "_csrf_token": token.group(1),
                "name": "Nusrat Jahan",
                "email": "nusrat@example.com",
                "topic": "booking",
                "message": message,
            },
        )
        assert sent.status_code == 200


def _saved_messages(storage: Path) -> list[str]:
    restarted = EmbeddedDatabase(storage)
    restarted.start()
    try:
        with MongoClient[dict[str, Any]](restarted.uri) as client:
            found = client.carevia.contact_messages.find({"email": "nusrat@example.com"})
            return [document["message"] for document in found]
    finally:
        restarted.stop()


def _wait_until_gone(pids: list[int], timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not any(_alive(pid) for pid in pids)


def test_serve_without_uri_leaves_no_orphan_and_no_lost_write_when_killed(tmp_path: Path) -> None:
    app, base_url = _serve_without_uri(tmp_path)
    try:
        database_pids = _children(app.pid)
        assert len(database_pids) == 1, "the embedded database runs as a child process"
        assert (tmp_path / "db").is_dir()
        _send_contact_message(base_url, "Written just before the app crashed.")

        app.send_signal(signal.SIGKILL)
        app.wait()
        assert _wait_until_gone(database_pids, timeout=15)
    finally:
        if app.poll() is None:
            app.kill()

    # The server died with the app, by SIGKILL; what the app was told is saved is still there.
    assert _saved_messages(tmp_path / "db") == ["Written just before the app crashed."]


def _health_until(base_url: str, status: int, timeout: float) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = httpx.get(f"{base_url}/healthz", timeout=1)
        except httpx.HTTPError:
            answer = None
        if answer is not None and answer.status_code == status:
            body: dict[str, Any] = answer.json()
            return body
        time.sleep(0.05)
    raise AssertionError(f"/healthz did not answer {status} within {timeout:.0f} s")


def test_a_killed_embedded_database_is_restarted_healthz_says_so_and_a_stop_is_clean(
    tmp_path: Path,
) -> None:
    app, base_url = _serve_without_uri(tmp_path)
    try:
        healthy = _health_until(base_url, 200, timeout=5)
        assert healthy["database"] == {"state": "running", "restarts": 0}
        _send_contact_message(base_url, "Sent before the database died.")
        [first_pid] = _children(app.pid)

        os.kill(first_pid, signal.SIGKILL)

        down = _health_until(base_url, 503, timeout=10)
        assert down["status"] == "unavailable"
        assert "restarting" in down["reason"]
        back = _health_until(base_url, 200, timeout=30)
        assert back["database"] == {"state": "running", "restarts": 1}
        [second_pid] = _children(app.pid)
        assert second_pid != first_pid
        _send_contact_message(base_url, "Sent after the restart.")

        app.send_signal(signal.SIGTERM)
        assert app.wait(timeout=20) == 0
        assert _wait_until_gone([second_pid], timeout=1)
    finally:
        if app.poll() is None:
            app.kill()

    log = (tmp_path / "server.log").read_text()
    assert "embedded database exited" in log
    assert "embedded database restarted" in log
    assert _saved_messages(tmp_path / "db") == [
        "Sent before the database died.",
        "Sent after the restart.",
    ]
