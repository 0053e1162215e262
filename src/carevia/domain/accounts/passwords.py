"""Password policy and argon2id hashing."""

from __future__ import annotations

import asyncio
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from carevia.domain.shared.text import Text

MIN_LENGTH = 10
MAX_LENGTH = 128
COMMON_PASSWORDS = frozenset(
    line.strip().lower()
    for line in (Path(__file__).with_name("common_passwords.txt")).read_text().splitlines()
    if line.strip()
)

# OWASP's argon2id minimum (m=19 MiB, t=2, p=1): about 19 ms per verify on a 2-core machine.
HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified against when the email is unknown, so both answers take the same time.
_DUMMY_HASH = HASHER.hash("carevia-timing-equaliser")


def password_problem(password: str, email: str = "") -> str | None:
    if len(password) < MIN_LENGTH:
        return Text("Use at least %(count)d characters.", count=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return Text("Use at most %(count)d characters.", count=MAX_LENGTH)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(password)) < 4:
        return Text("This password is too common. Try a short sentence you will remember.")
    if email and lowered == email.lower():
        return Text("Your password cannot be your email address.")
    return None


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(HASHER.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    def verify() -> bool:
        try:
            return (
                HASHER.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
            )
        except (VerificationError, InvalidHashError):
            return False

    return await asyncio.to_thread(verify)


def needs_rehash(password_hash: str) -> bool:
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
