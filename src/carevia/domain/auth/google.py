"""Signing in with Google, and the rules for linking a Google identity to an account.

The original app linked a Google identity to whichever account had the same email, so
anyone who could put that address on a Google account (unverified) could enter it. Here a
Google identity joins an existing account by itself only when Google has verified the
address and the account's owner has verified it with us too; otherwise the owner proves the
account with its password first. A sign-in ends in the same session as a password sign-in.
"""

from __future__ import annotations

import secrets
from datetime import datetime

import msgspec
from bson import ObjectId

from carevia.domain.accounts.models import User
from carevia.domain.accounts.passwords import verify_password
from carevia.domain.accounts.repository import UserRepository
from carevia.domain.accounts.validation import normalise_email
from carevia.domain.audit import AuditLog
from carevia.domain.auth.openid import OpenIDClient, SignInRefused, VerifiedIdentity
from carevia.domain.auth.openid_attempts import (
    OpenIDAttemptRepository,
    PendingLink,
    SignInAttempt,
)
from carevia.domain.auth.service import AuthService, SignedIn
from carevia.domain.shared import Conflict, Invalid, NotFound
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.language import current_language
from carevia.domain.shared.text import Text

STALE_ANSWER = Text(
    "This sign-in with Google has already been used or has expired. "
    "Please start again from the log-in page."
)
UNVERIFIED_NEW_ACCOUNT = Text(
    "Google has not confirmed this email address, so we cannot create an account from it. "
    "Confirm the address with Google, or create an account with a password."
)
LINK_EXPIRED = Text("This request to link Google has expired. Please sign in with Google again.")
TAKEN_IDENTITY = Text("This Google account is already linked to another Carevia account.")


class GoogleBegun(msgspec.Struct, frozen=True):
    url: str
    browser_key: str  # goes into a cookie of the browser that began it


class LinkNeeded(msgspec.Struct, frozen=True):
    token: str


class GoogleSignIn:
    def __init__(
        self,
        client: OpenIDClient,
        attempts: OpenIDAttemptRepository,
        users: UserRepository,
        auth: AuthService,
        audit: AuditLog,
        clock: Clock = utc_now,
    ) -> None:
        self._client = client
        self._attempts = attempts
        self._users = users
        self._auth = auth
        self._audit = audit
        self._clock = clock

    async def begin(self, next_path: str, browser_key: str | None) -> GoogleBegun:
        start = await self._client.start()
        browser_key = browser_key or secrets.token_urlsafe(32)
        attempt = SignInAttempt(
            nonce=start.nonce, code_verifier=start.code_verifier, next=next_path
        )
        await self._attempts.add_attempt(start.state, browser_key, attempt, self._clock())
        return GoogleBegun(start.url, browser_key)

    async def complete(
        self,
        state: str,
        code: str,
        browser_key: str,
        ip: str | None,
        replaces: str | None,
    ) -> tuple[SignedIn | LinkNeeded, str]:
        """The session (or the link to confirm) and where to go next."""
        attempt = await self._attempts.take_attempt(state, browser_key, self._clock())
        if attempt is None:
            raise SignInRefused(STALE_ANSWER)
        identity = await self._client.finish(code, attempt.nonce, attempt.code_verifier)
        outcome = await self._admit(identity, attempt.next, browser_key, ip, replaces)
        return outcome, attempt.next

    async def pending_email(self, token: str, browser_key: str) -> str:
        link = await self._attempts.peek_link(token, browser_key, self._clock())
        if link is None:
            raise NotFound(LINK_EXPIRED)
        return link.email

    async def confirm_link(
        self,
        token: str,
        browser_key: str,
        password: str,
        ip: str | None,
        replaces: str | None,
        device_cookie: str | None,
    ) -> tuple[SignedIn, str]:
        """The account's password proves its owner asks for the link; throttled like a login."""
        now = self._clock()
        link = await self._attempts.peek_link(token, browser_key, now)
        if link is None:
            raise NotFound(LINK_EXPIRED)
        user = await self._auth.check_credentials(link.email, password, ip, device_cookie)
        if (
            user.id != link.user_id
            or await self._attempts.take_link(token, browser_key, now) is None
        ):
            raise NotFound(LINK_EXPIRED)
        await self._link(user, link.subject, now, automatic=False)
        return await self._auth.sign_in_as(user, ip, replaces, method="google"), link.next

    async def unlink(self, user: User, password: str) -> None:
        """Only with a password, so the account is never left without a way in."""
        if not user.has_password:
            raise Invalid(
                {
                    "password": Text(
                        "Set a password first (use “Forgot your password?”), then unlink."
                    )
                }
            )
        if not await verify_password(user.password_hash, password):
            raise Invalid({"password": Text("Your password is not right.")})
        await self._users.set_google_subject(user.id, None, self._clock())
        await self._audit.record(
            "user.google_unlinked",
            actor_id=str(user.id),
            target_type="user",
            target_id=str(user.id),
        )

    async def _admit(
        self,
        identity: VerifiedIdentity,
        next_path: str,
        browser_key: str,
        ip: str | None,
        replaces: str | None,
    ) -> SignedIn | LinkNeeded:
        now = self._clock()
        user = await self._users.get_by_google_subject(identity.subject)
        if user is None:
            email = normalise_email(identity.email)
            existing = await self._users.get_by_email(email)
            if existing is None:
                user = await self._create_account(identity, email, ip, now)
            elif (
                identity.email_verified
                and existing.is_verified
                and existing.is_active
                and existing.google_subject is None
            ):
                await self._link(existing, identity.subject, now, automatic=True)
                user = existing
            else:
                return await self._ask_for_password(existing, identity, next_path, browser_key, ip)
        return await self._auth.sign_in_as(user, ip, replaces, method="google")

    async def _ask_for_password(
        self,
        user: User,
        identity: VerifiedIdentity,
        next_path: str,
        browser_key: str,
        ip: str | None,
    ) -> LinkNeeded:
        token = secrets.token_urlsafe(32)
        link = PendingLink(
            user_id=user.id, email=user.email, subject=identity.subject, next=next_path
        )
        await self._attempts.add_link(token, browser_key, link, self._clock())
        await self._audit.record(
            "auth.google_link_pending",
            target_type="user",
            target_id=str(user.id),
            ip=ip,
            google_email_verified=identity.email_verified,
        )
        return LinkNeeded(token)

    async def _create_account(
        self, identity: VerifiedIdentity, email: str, ip: str | None, now: datetime
    ) -> User:
        if not identity.email_verified:
            raise SignInRefused(UNVERIFIED_NEW_ACCOUNT)
        user = User(
            id=ObjectId(),
            email=email,
            first_name=identity.given_name.strip()[:100],
            last_name=identity.family_name.strip()[:100],
            role="patient",
            password_hash="",  # no password until the owner sets one by a reset link
            email_verified_at=now,
            source="google",
            google_subject=identity.subject,
            created_at=now,
            updated_at=now,
            language=current_language(),  # the language the person was reading in
        )
        try:
            await self._users.add(user)
        except Conflict as exc:  # the same person, signing in twice at once
            raise SignInRefused(STALE_ANSWER) from exc
        await self._audit.record(
            "user.registered",
            actor_id=str(user.id),
            actor_role="patient",
            target_type="user",
            target_id=str(user.id),
            ip=ip,
            source="google",
        )
        return user

    async def _link(self, user: User, subject: str, now: datetime, *, automatic: bool) -> None:
        if not await self._users.set_google_subject(user.id, subject, now):
            raise Conflict(TAKEN_IDENTITY)
        await self._audit.record(
            "user.google_linked",
            actor_id=str(user.id),
            target_type="user",
            target_id=str(user.id),
            automatic=automatic,
        )
