"""The signed-in patient's own account pages."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from pymongo import MongoClient
from pymongo.asynchronous.database import AsyncDatabase

from tests.support.accounts import Client, UserFactory, api_token, csrf_token, log_in

PROFILE = {
    "first_name": "Amina",
    "last_name": "Begum",
    "phone": "+880 1911 222333",
    "address": "Road 7, Block C",
    "city": "Sylhet",
    "division": "Sylhet",
    "district": "Moulvibazar",
    "postal_code": "",
}


async def test_profile_edit_saves_and_rerenders_the_fragment(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    user = await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    token = await csrf_token(client, "/account")
    saved = await client.post(
        "/account", data={**PROFILE, "_csrf_token": token}, headers={"HX-Request": "true"}
    )
    assert saved.status_code == 200
    assert saved.text.lstrip().startswith('<section id="profile"')
    assert "Your details are saved." in saved.text
    stored = await database["users"].find_one({"_id": user.id})
    assert stored is not None
    assert (stored["last_name"], stored["phone"], stored["district"]) == (
        "Begum",
        "+8801911222333",
        "Moulvibazar",
    )

    invalid = await client.post(
        "/account",
        data={**PROFILE, "district": "Gazipur", "_csrf_token": token},
        headers={"HX-Request": "true"},
    )
    assert invalid.status_code == 422
    assert "Choose a district in Sylhet division." in invalid.text
    assert 'value="Road 7, Block C"' in invalid.text


async def test_password_change_ends_every_session_and_token(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    await make_user("amina@example.com")
    access = await api_token(client, "amina@example.com")
    await log_in(client, "amina@example.com")
    token = await csrf_token(client, "/account/password")
    wrong = await client.post(
        "/account/password",
        data={"current_password": "nope", "new_password": "x" * 12, "_csrf_token": token},
    )
    assert wrong.status_code == 422
    assert "Your current password is not right." in wrong.text
    changed = await client.post(
        "/account/password",
        follow_redirects=False,
        data={
            "current_password": "calm-river-morning-42",
            "new_password": "quiet-harbour-lights",
            "_csrf_token": token,
        },
    )
    assert changed.status_code == 303
    assert (await client.get("/account", follow_redirects=False)).status_code == 303
    assert (
        await client.get("/api/v1/me", headers={"Authorization": f"Bearer {access}"})
    ).status_code == 401
    assert await database["web_sessions"].count_documents({}) == 0
    assert (await log_in(client, "amina@example.com", "quiet-harbour-lights")).status_code == 303


async def test_export_downloads_my_data_as_json(client: Client, make_user: UserFactory) -> None:
    await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    response = await client.get("/account/export")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="carevia-my-data.json"'
    data = json.loads(response.text)
    assert data["profile"]["email"] == "amina@example.com"
    assert data["profile"]["phone"] == "+8801712345678"
    assert "password_hash" not in response.text


async def test_deleting_the_account_erases_personal_data_and_signs_out(
    client: Client, database: AsyncDatabase[dict[str, Any]], make_user: UserFactory
) -> None:
    user = await make_user("amina@example.com")
    await log_in(client, "amina@example.com")
    token = await csrf_token(client, "/account/delete")
    refused = await client.post("/account/delete", data={"password": "wrong", "_csrf_token": token})
    assert refused.status_code == 422
    deleted = await client.post(
        "/account/delete",
        data={"password": "calm-river-morning-42", "_csrf_token": token},
        follow_redirects=False,
    )
    assert deleted.status_code == 303
    stored = await database["users"].find_one({"_id": user.id})
    assert stored is not None
    assert "amina" not in json.dumps(stored, default=str).lower()
    assert stored["phone"] == "" and stored["address"] == ""
    assert stored["is_active"] is False
    assert await database["web_sessions"].count_documents({}) == 0
    assert (await log_in(client, "amina@example.com")).status_code == 422


def test_cli_creates_admins_and_caregivers_from_stdin(
    tmp_path: Path, mongo_uri: str, database_name: str
) -> None:
    def create(email: str, password: str, role: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "carevia",
                "users",
                "create",
                "--email",
                email,
                "--name",
                "Nusrat Jahan",
                "--role",
                role,
                "--password-stdin",
            ],
            input=password + "\n",
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
            cwd=tmp_path,
            env={
                "PATH": "/usr/bin:/bin",
                "APP_ENV": "test",
                "MONGODB_URI": mongo_uri,
                "MONGODB_DB": database_name,
            },
        )

    created = create("Boss@Carevia.Example", "a-long-admin-phrase", "admin")
    assert created.returncode == 0, created.stderr
    weak = create("weak@carevia.example", "short", "caregiver")
    assert weak.returncode != 0
    assert "Use at least 10 characters." in weak.stderr
    duplicate = create("boss@carevia.example", "a-long-admin-phrase", "caregiver")
    assert "already exists" in duplicate.stderr
    with MongoClient[dict[str, Any]](mongo_uri) as mongo:
        users = list(mongo[database_name].users.find())
    assert [(u["email"], u["role"], u["first_name"], u["last_name"]) for u in users] == [
        ("boss@carevia.example", "admin", "Nusrat", "Jahan")
    ]
    assert users[0]["email_verified_at"] is not None
