"""The carevia command as an operator uses it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from pymongo import MongoClient


def run_carevia(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "carevia", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def clean_environment(**values: str) -> dict[str, str]:
    keep = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MONGODB_", "STRIPE_", "SECRET_", "APP_"))
    }
    return {**keep, **values}


def test_production_without_secrets_refuses_to_start(tmp_path: Path) -> None:
    result = run_carevia("serve", env=clean_environment(APP_ENV="production"), cwd=tmp_path)
    assert result.returncode != 0
    assert "Refusing to start in production" in result.stderr
    assert "SECRET_KEY" in result.stderr and "MONGODB_URI" in result.stderr
    assert "Traceback" not in result.stderr


def test_seed_is_idempotent(tmp_path: Path, mongo_uri: str, database_name: str) -> None:
    env = clean_environment(APP_ENV="test", MONGODB_URI=mongo_uri, MONGODB_DB=database_name)
    first = run_carevia("seed", env=env, cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "20 new services" in first.stdout
    with MongoClient[dict[str, Any]](mongo_uri) as client:
        before = list(client[database_name].services.find().sort("slug"))
    second = run_carevia("seed", env=env, cwd=tmp_path)
    assert second.returncode == 0, second.stderr
    assert "0 new services" in second.stdout
    with MongoClient[dict[str, Any]](mongo_uri) as client:
        after = list(client[database_name].services.find().sort("slug"))
        categories = client[database_name].services.distinct("category")
        featured = client[database_name].services.count_documents({"featured": True})
    assert after == before
    assert len(after) >= 18
    assert sorted(categories) == ["baby-care", "elderly-care", "sick-care", "special-care"]
    assert featured >= 5


def test_payments_reconcile_runs_against_the_configured_database(
    tmp_path: Path, mongo_uri: str, database_name: str
) -> None:
    env = clean_environment(APP_ENV="test", MONGODB_URI=mongo_uri, MONGODB_DB=database_name)
    result = run_carevia("payments", "reconcile", env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Reconciled payments: 0 confirmed from the gateway." in result.stdout
