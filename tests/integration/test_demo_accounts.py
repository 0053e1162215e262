"""Demo sign-ins: announced by `make run` in development, and never usable in production."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import httpx
from pymongo import MongoClient

from carevia.cli import DEMO_PASSWORD
from carevia.domain.accounts.passwords import verify_password
from carevia.domain.accounts.seed import DEMO_ADMIN_EMAIL
from carevia.embedded_db import free_loopback_port
from tests.support.commands import carevia_serve, clean_environment, run_carevia

BANNER_LINE = re.compile(r"│ (?P<label>[A-Za-z]+):\s+(?P<value>\S+)(?: / (?P<password>\S+))?")


def banner_entries(lines: list[str]) -> dict[str, tuple[str, str | None]]:
    top = next(i for i, line in enumerate(lines) if line.startswith("┌"))
    entries = {}
    for line in lines[top + 1 :]:
        if line.startswith("└"):
            break
        if found := BANNER_LINE.match(line):
            entries[found["label"]] = (found["value"], found["password"])
    return entries


def sign_in_and_open(base_url: str, email: str, password: str, path: str) -> httpx.Response:
    """The browser's way in: the login form, then a page behind it."""
    with httpx.Client(base_url=base_url, timeout=30) as browser:
        form = browser.get("/login").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form)
        assert token is not None
        browser.post(
            "/login", data={"email": email, "password": password, "_csrf_token": token.group(1)}
        )
        return browser.get(path)


def test_make_run_announces_the_address_and_demo_sign_ins_that_work(
    tmp_path: Path, mongo_uri: str, database_name: str
) -> None:
    port = free_loopback_port()
    base_url = f"http://127.0.0.1:{port}"
    env = clean_environment(
        APP_ENV="development",
        MONGODB_URI=mongo_uri,
        MONGODB_DB=database_name,
        PUBLIC_BASE_URL=base_url,
    )
    with carevia_serve(port, "--seed-if-new", env=env, cwd=tmp_path) as (_, output):
        lines = output.until("└")
        assert f"Carevia is ready at {base_url}" in "\n".join(lines)
        entries = banner_entries(lines)
        admin_email, admin_password = entries["Admin"]
        caregiver_email, caregiver_password = entries["Caregiver"]
        assert entries["Mailbox"] == (f"{base_url}/dev/mailbox", None)
        assert admin_password is not None and caregiver_password is not None

        audit = sign_in_and_open(base_url, admin_email, admin_password, "/dashboard/audit")
        assert audit.status_code == 200 and "<h1>Audit log</h1>" in audit.text
        visits = sign_in_and_open(base_url, caregiver_email, caregiver_password, "/dashboard")
        assert visits.status_code == 200 and str(visits.url).endswith("/dashboard")
        assert httpx.get(entries["Mailbox"][0], timeout=30).status_code == 200


def test_outside_development_serve_prints_no_sign_ins_and_creates_no_demo_admin(
    tmp_path: Path, mongo_uri: str, database_name: str
) -> None:
    port = free_loopback_port()
    env = clean_environment(APP_ENV="test", MONGODB_URI=mongo_uri, MONGODB_DB=database_name)
    with carevia_serve(port, "--seed-if-new", env=env, cwd=tmp_path) as (server, output):
        server.terminate()
        server.wait(timeout=30)
        printed = "\n".join(output.until("Carevia is running on"))
    assert "Seeded demo data" in printed
    assert "Carevia is ready" not in printed and DEMO_PASSWORD not in printed
    with MongoClient[dict[str, Any]](mongo_uri) as client:
        assert client[database_name].users.count_documents({"role": "admin"}) == 0


def test_production_has_no_account_that_the_demo_password_opens(
    tmp_path: Path, mongo_uri: str, database_name: str
) -> None:
    env = clean_environment(
        APP_ENV="production",
        MONGODB_URI=mongo_uri,
        MONGODB_DB=database_name,
        SECRET_KEY="k" * 48,
        STRIPE_SECRET_KEY="sk_test_production_check",
        STRIPE_WEBHOOK_SECRET="whsec_production_check",
        SMTP_HOST="smtp.example.com",
        PUBLIC_BASE_URL="https://carevia.example",
    )
    seeded = run_carevia("seed", env=env, cwd=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "new caregivers" in seeded.stdout and "demo admin" not in seeded.stdout
    with MongoClient[dict[str, Any]](mongo_uri) as client:
        users = list(client[database_name].users.find())
    assert len(users) >= 10, "the demo caregivers exist, with passwords nobody knows"
    assert DEMO_ADMIN_EMAIL not in {user["email"] for user in users}
    assert not [user for user in users if user["role"] == "admin"]

    async def opened_by_demo_password() -> list[str]:
        checks = [verify_password(user["password_hash"], DEMO_PASSWORD) for user in users]
        results = await asyncio.gather(*checks)
        return [user["email"] for user, opens in zip(users, results, strict=True) if opens]

    assert asyncio.run(opened_by_demo_password()) == []
