"""Demo catalogue content, inserted idempotently by slug."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec

from carevia.domain.catalogue.models import Service
from carevia.domain.catalogue.repository import ServiceRepository

SEED_FILE = Path(__file__).with_name("seed_services.json")


def demo_services(now: datetime, currency: str) -> list[Service]:
    raw: list[dict[str, Any]] = msgspec.json.decode(SEED_FILE.read_bytes())
    services = []
    for entry in raw:
        created = now - timedelta(days=int(entry.pop("days_ago")))
        services.append(
            msgspec.convert(
                {**entry, "currency": currency, "created_at": created, "updated_at": created},
                Service,
                builtin_types=(datetime,),
            )
        )
    return services


async def seed_catalogue(repository: ServiceRepository, now: datetime, currency: str) -> int:
    inserted = 0
    for service in demo_services(now, currency):
        if await repository.insert_if_absent(service):
            inserted += 1
        else:
            # A demo catalogue seeded before it had Bangla gets it; an admin's edits stay.
            await repository.add_bangla_if_missing(service)
    return inserted
