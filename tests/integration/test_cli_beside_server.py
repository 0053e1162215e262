"""The carevia command next to a running dev server, and creating users at a terminal."""

from __future__ import annotations

import asyncio
import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from carevia.domain.accounts.passwords import verify_password
from carevia.embedded_db import free_loopback_port
from tests.support.commands import (
    carevia_serve,
    clean_environment,
    run_at_a_terminal,
    run_carevia,
)

NEW_PASSWORD = "steady-lantern-river-81"


def can_sign_in(base_url: str, email: str, password: str) -> bool:
    answer = httpx.post(
        f"{base_url}/api/v1/auth/token", json={"email": email, "password": password}, timeout=30
    )
    return answer.status_code == 200


def test_users_create_uses_the_database_of_the_running_server(tmp_path: Path) -> None:
    port = free_loopback_port()
    env = clean_environment(APP_ENV="test", CAREVIA_DATA_DIR=str(tmp_path))
    published = tmp_path / "db.json"
    with carevia_serve(port, env=env, cwd=tmp_path) as (server, _):
        assert json.loads(published.read_text())["uri"].startswith("mongodb://127.0.0.1:")
        created = run_carevia(
            "users",
            "create",
            "--email=ops@example.com",
            "--name=Farhana Haque",
            "--role=admin",
            "--password-stdin",
            env=env,
            cwd=tmp_path,
            stdin=NEW_PASSWORD + "\n",
        )
        assert created.returncode == 0, created.stderr
        assert "Using the database of the running server" in created.stdout
        assert "Created admin ops@example.com" in created.stdout
        # The running server sees the account at once: it is the same database.
        assert can_sign_in(f"http://127.0.0.1:{port}", "ops@example.com", NEW_PASSWORD)
        second = run_carevia("serve", f"--port={free_loopback_port()}", env=env, cwd=tmp_path)
        assert second.returncode != 0
        assert "another `carevia serve` already runs on" in second.stderr
        server.terminate()
        assert server.wait(timeout=30) == 0
    assert not published.exists(), "a cleanly stopped server withdraws its address"


def test_a_file_left_by_a_dead_server_is_ignored(tmp_path: Path) -> None:
    finished = subprocess.Popen(["true"])
    finished.wait()
    stale = {"uri": f"mongodb://127.0.0.1:{free_loopback_port()}/", "pid": finished.pid}
    (tmp_path / "db.json").write_text(json.dumps(stale))
    env = clean_environment(APP_ENV="test", CAREVIA_DATA_DIR=str(tmp_path))
    created = run_carevia(
        "users",
        "create",
        "--email=night@example.com",
        "--name=Rafiq Islam",
        "--role=caregiver",
        "--password-stdin",
        env=env,
        cwd=tmp_path,
        stdin=NEW_PASSWORD + "\n",
    )
    assert created.returncode == 0, created.stderr
    assert "Embedded database on" in created.stdout
    assert "Created caregiver night@example.com" in created.stdout


def stored_user(mongo_uri: str, database_name: str, email: str) -> dict[str, Any] | None:
    with MongoClient[dict[str, Any]](mongo_uri) as client:
        return client[database_name].users.find_one({"email": email})


def test_at_a_terminal_the_password_is_asked_twice_and_not_shown(
    tmp_path: Path, mongo_uri: str, database_name: str
) -> None:
    env = clean_environment(APP_ENV="test", MONGODB_URI=mongo_uri, MONGODB_DB=database_name)
    args = ("users", "create", "--email=desk@example.com", "--name=Nadia Karim", "--role=admin")
    typed = NEW_PASSWORD.encode()
    code, shown = run_at_a_terminal(
        *args, answers=[(b"Password: ", typed), (b"Password again: ", typed)], env=env, cwd=tmp_path
    )
    assert code == 0, shown
    assert "Created admin desk@example.com" in shown
    assert NEW_PASSWORD not in shown, "the terminal must not echo the password"
    user = stored_user(mongo_uri, database_name, "desk@example.com")
    assert user is not None and user["role"] == "admin"
    assert asyncio.run(verify_password(user["password_hash"], NEW_PASSWORD))


def test_two_different_passwords_at_a_terminal_create_nobody(
    tmp_path: Path, mongo_uri: str, database_name: str
) -> None:
    env = clean_environment(APP_ENV="test", MONGODB_URI=mongo_uri, MONGODB_DB=database_name)
    args = ("users", "create", "--email=typo@example.com", "--name=Sumon Das", "--role=admin")
    answers = [(b"Password: ", NEW_PASSWORD.encode()), (b"Password again: ", b"something-else-7")]
    code, shown = run_at_a_terminal(*args, answers=answers, env=env, cwd=tmp_path)
    assert code != 0
    assert "the two passwords differ; nothing was created" in shown
    assert stored_user(mongo_uri, database_name, "typo@example.com") is None


def test_without_a_terminal_or_password_stdin_it_says_what_to_do(
    tmp_path: Path, mongo_uri: str, database_name: str
) -> None:
    env = clean_environment(APP_ENV="test", MONGODB_URI=mongo_uri, MONGODB_DB=database_name)
    args = ("users", "create", "--email=x@example.com", "--name=X Y", "--role=admin")
    result = run_carevia(*args, env=env, cwd=tmp_path)
    assert result.returncode != 0
    assert "pass --password-stdin" in result.stderr and "Traceback" not in result.stderr
    assert stored_user(mongo_uri, database_name, "x@example.com") is None
