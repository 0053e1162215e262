"""The demo admin: one account to open the dashboard with, in development only."""

from __future__ import annotations

import contextlib
from datetime import datetime

from bson import ObjectId

from carevia.domain.accounts.models import User
from carevia.domain.accounts.passwords import hash_password, password_problem
from carevia.domain.accounts.repository import UserRepository
from carevia.domain.shared import Conflict, Invalid

DEMO_ADMIN_EMAIL = "admin@demo.carevia.example"


async def seed_demo_admin(users: UserRepository, now: datetime, password: str) -> bool:
    """Create the demo admin unless the address is taken; returns whether it was created.

    An existing account under that address keeps its role and password, so running the
    seed again never resets what someone changed.
    """
    if problem := password_problem(password):
        raise Invalid({"password": problem}, "The demo admin password is too weak.")
    if await users.get_by_email(DEMO_ADMIN_EMAIL) is not None:
        return False
    admin = User(
        id=ObjectId(),
        email=DEMO_ADMIN_EMAIL,
        first_name="Demo",
        last_name="Admin",
        division="Dhaka",
        role="admin",
        password_hash=await hash_password(password),
        email_verified_at=now,
        created_at=now,
        updated_at=now,
    )
    # Another seed run may create the same account at the same moment.
    with contextlib.suppress(Conflict):
        await users.add(admin)
        return True
    return False
