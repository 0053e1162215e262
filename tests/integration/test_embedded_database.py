"""The embedded database process: persistence, and no orphan when the app dies."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from pymongo import MongoClient

from carevia.embedded_db import EmbeddedDatabase, free_loopback_port


def test_data_survives_a_restart(tmp_path: Path) -> None:
    server = EmbeddedDatabase(tmp_path / "db")
    server.start()
    with MongoClient(server.uri) as client:
        client.carevia.notes.insert_one({"_id": "kept", "text": "still here"})
    server.stop()

    restarted = EmbeddedDatabase(tmp_path / "db")
    restarted.start()
    try:
        with MongoClient(restarted.uri) as client:
            assert client.carevia.notes.find_one({"_id": "kept"}) == {
                "_id": "kept",
                "text": "still here",
            }
    finally:
        restarted.stop()


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.split(") ", 1)[1][0] != "Z"


def test_serve_without_uri_runs_the_embedded_database_and_leaves_no_orphan(tmp_path: Path) -> None:
    port = free_loopback_port()
    environment = {k: v for k, v in os.environ.items() if k != "MONGODB_URI"}
    environment.update(APP_ENV="test", CAREVIA_DATA_DIR=str(tmp_path))
    app = subprocess.Popen(
        [sys.executable, "-m", "carevia", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        else:
            raise AssertionError("carevia serve did not become ready")
        database_pids = _children(app.pid)
        assert len(database_pids) == 1, "the embedded database runs as a child process"
        assert (tmp_path / "db").is_dir()
        with httpx.Client(base_url=f"http://127.0.0.1:{port}") as browser:
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
                    "message": "Written just before the app crashed.",
                },
            )
            assert sent.status_code == 200

        app.send_signal(signal.SIGKILL)
        app.wait()
        deadline = time.monotonic() + 15
        while any(_alive(pid) for pid in database_pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in database_pids)
    finally:
        if app.poll() is None:
            app.kill()

    # The server died with the app, by SIGKILL; what the app was told is saved is still there.
    restarted = EmbeddedDatabase(tmp_path / "db")
    restarted.start()
    try:
        with MongoClient(restarted.uri) as client:
            saved = client.carevia.contact_messages.find_one({"email": "nusrat@example.com"})
            assert saved is not None
            assert saved["message"] == "Written just before the app crashed."
    finally:
        restarted.stop()
