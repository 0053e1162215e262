"""Rotating refresh tokens with family revocation, against a real database server."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.auth import (
    INDEXES,
    REFRESH_TOKENS,
    InvalidToken,
    IssuedRefresh,
    RefreshReuse,
    RefreshToken,
    RefreshTokenRepository,
    RefreshTokenService,
    hash_refresh_token,
)

Database = AsyncDatabase[dict[str, Any]]
USER = "65f0c0ffee00000000000001"
OTHER_USER = "65f0c0ffee00000000000002"


@pytest.fixture
async def refresh_tokens(database: Database) -> RefreshTokenService:
    for collection, indexes in INDEXES.items():
        await database[collection].create_indexes(list(indexes))
    return RefreshTokenService(RefreshTokenRepository(database))


async def stored(database: Database, issued: IssuedRefresh) -> dict[str, Any] | None:
    return await database[REFRESH_TOKENS].find_one({"_id": hash_refresh_token(issued.token)})


async def test_rotation_returns_a_new_token_and_retires_the_old_one(
    refresh_tokens: RefreshTokenService, database: Database
) -> None:
    first = await refresh_tokens.start_family(USER, token_version=4)

    consumed, second = await refresh_tokens.rotate(first.token)

    assert second.token != first.token
    assert second.family_id == first.family_id
    assert consumed.user_id == USER
    assert consumed.token_version == 4
    assert consumed.used_at is not None
    assert consumed.replaced_by == hash_refresh_token(second.token)
    with pytest.raises(InvalidToken):
        await refresh_tokens.rotate(first.token)
    # The old token's reuse revoked the family, so the new one is dead too.
    with pytest.raises(InvalidToken):
        await refresh_tokens.rotate(second.token)


async def test_a_chain_of_rotations_keeps_family_and_user(
    refresh_tokens: RefreshTokenService,
) -> None:
    issued = await refresh_tokens.start_family(USER, token_version=1)
    family = issued.family_id

    for _ in range(3):
        consumed, issued = await refresh_tokens.rotate(issued.token)
        assert consumed.family_id == family
        assert consumed.token_version == 1

    assert issued.family_id == family


async def test_only_hashes_are_stored(
    refresh_tokens: RefreshTokenService, database: Database
) -> None:
    issued = await refresh_tokens.start_family(USER, token_version=0)

    documents = await database[REFRESH_TOKENS].find().to_list()

    assert len(documents) == 1
    assert documents[0]["_id"] == hash_refresh_token(issued.token)
    assert issued.token not in repr(documents)
    assert documents[0]["expires_at"] == issued.expires_at


async def test_second_use_is_reuse_and_kills_the_new_token_of_the_family(
    refresh_tokens: RefreshTokenService, database: Database
) -> None:
    stolen = await refresh_tokens.start_family(USER, token_version=0)
    other_session = await refresh_tokens.start_family(USER, token_version=0)
    _, legitimate = await refresh_tokens.rotate(stolen.token)

    with pytest.raises(RefreshReuse) as caught:
        await refresh_tokens.rotate(stolen.token)

    assert caught.value.code == "refresh_reused"
    assert caught.value.family_id == stolen.family_id
    assert caught.value.user_id == USER
    newest = await stored(database, legitimate)
    assert newest is not None
    assert newest["revoked_at"] is not None
    with pytest.raises(InvalidToken):
        await refresh_tokens.rotate(legitimate.token)
    # Another login of the same user is a different family and keeps working.
    _, still_working = await refresh_tokens.rotate(other_session.token)
    assert still_working.family_id == other_session.family_id


async def test_reusing_a_token_again_is_still_reported_as_reuse(
    refresh_tokens: RefreshTokenService,
) -> None:
    first = await refresh_tokens.start_family(USER, token_version=0)
    await refresh_tokens.rotate(first.token)
    with pytest.raises(RefreshReuse):
        await refresh_tokens.rotate(first.token)

    with pytest.raises(RefreshReuse):
        await refresh_tokens.rotate(first.token)


async def test_concurrent_rotations_of_one_token_let_exactly_one_succeed(
    refresh_tokens: RefreshTokenService, database: Database
) -> None:
    for _ in range(5):
        issued = await refresh_tokens.start_family(USER, token_version=0)

        results = await asyncio.gather(
            *(refresh_tokens.rotate(issued.token) for _ in range(4)), return_exceptions=True
        )

        successes = [r for r in results if isinstance(r, tuple)]
        failures = [r for r in results if not isinstance(r, tuple)]
        assert len(successes) == 1
        assert len(failures) == 3
        assert all(isinstance(f, RefreshReuse) for f in failures)
        family = await database[REFRESH_TOKENS].find({"family_id": issued.family_id}).to_list()
        # The losers' unissued successors are gone; the rest of the family is revoked.
        assert len(family) == 2
        assert all(doc["revoked_at"] is not None for doc in family)


async def test_expired_token_is_invalid(refresh_tokens: RefreshTokenService) -> None:
    issued_at = datetime.now(UTC) - timedelta(days=20)
    old = await refresh_tokens.start_family(USER, token_version=0, now=issued_at)

    with pytest.raises(InvalidToken) as caught:
        await refresh_tokens.rotate(old.token)

    assert not isinstance(caught.value, RefreshReuse)


async def test_token_is_valid_until_its_expiry_instant(
    refresh_tokens: RefreshTokenService,
) -> None:
    start = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
    issued = await refresh_tokens.start_family(USER, token_version=0, now=start)

    with pytest.raises(InvalidToken):
        await refresh_tokens.rotate(issued.token, now=issued.expires_at)
    consumed, _ = await refresh_tokens.rotate(
        issued.token, now=issued.expires_at - timedelta(seconds=1)
    )
    assert consumed.expires_at == start + timedelta(days=14)


@pytest.mark.parametrize("token", ["", "never-issued", "x" * 1000])
async def test_unknown_token_is_invalid(refresh_tokens: RefreshTokenService, token: str) -> None:
    with pytest.raises(InvalidToken) as caught:
        await refresh_tokens.rotate(token)

    assert not isinstance(caught.value, RefreshReuse)


async def test_revoke_all_for_user_ends_every_session_of_that_user_only(
    refresh_tokens: RefreshTokenService,
) -> None:
    phone = await refresh_tokens.start_family(USER, token_version=0)
    laptop = await refresh_tokens.start_family(USER, token_version=0)
    _, laptop = await refresh_tokens.rotate(laptop.token)
    someone_else = await refresh_tokens.start_family(OTHER_USER, token_version=0)

    revoked = await refresh_tokens.revoke_all_for_user(USER)

    assert revoked == 3  # phone, the used laptop token and its successor
    for token in (phone, laptop):
        with pytest.raises(InvalidToken) as caught:
            await refresh_tokens.rotate(token.token)
        assert not isinstance(caught.value, RefreshReuse)
    consumed, _ = await refresh_tokens.rotate(someone_else.token)
    assert consumed.user_id == OTHER_USER
    assert await refresh_tokens.revoke_all_for_user(USER) == 0


async def test_revoke_family_and_logout_by_token(refresh_tokens: RefreshTokenService) -> None:
    first = await refresh_tokens.start_family(USER, token_version=0)
    second = await refresh_tokens.start_family(USER, token_version=0)

    assert await refresh_tokens.revoke_family(first.family_id) == 1
    assert await refresh_tokens.revoke(second.token) is True
    assert await refresh_tokens.revoke("never-issued") is False

    for issued in (first, second):
        with pytest.raises(InvalidToken):
            await refresh_tokens.rotate(issued.token)


async def test_stored_record_converts_back_to_a_struct(
    refresh_tokens: RefreshTokenService, database: Database
) -> None:
    issued = await refresh_tokens.start_family(USER, token_version=2)

    record = await RefreshTokenRepository(database).get(hash_refresh_token(issued.token))

    assert isinstance(record, RefreshToken)
    assert record.family_id == issued.family_id
    assert record.expires_at == issued.expires_at
    assert record.used_at is None
    assert record.revoked_at is None


async def test_declared_indexes_exist_including_the_ttl_index(
    refresh_tokens: RefreshTokenService, database: Database
) -> None:
    indexes = await database[REFRESH_TOKENS].index_information()

    keys = {tuple(k for k, _ in info["key"]): info for info in indexes.values()}
    assert ("family_id",) in keys
    assert ("user_id",) in keys
    assert keys[("expires_at",)].get("expireAfterSeconds") == 0
