"""Becoming a caregiver: the applicant's form and files, and the admins' decisions on it.

Every status change goes through `ApplicationService._move`, a conditional update on the
status the deciding person saw, so of two admins deciding at once exactly one wins.
Approval makes the account a verified caregiver in the same transaction as the decision.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bson import ObjectId
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.asynchronous.database import AsyncDatabase

from carevia.domain.accounts import User
from carevia.domain.accounts.repository import UserRepository, parse_object_id
from carevia.domain.applications.models import (
    ADMIN_MOVES,
    APPLICANT_MOVES,
    STATUS_LABELS,
    Application,
    ApplicationForm,
    DecisionForm,
    Document,
    StatusChange,
)
from carevia.domain.applications.repository import MAX_DOCUMENTS, ApplicationRepository
from carevia.domain.applications.validation import Checked, check_form
from carevia.domain.audit import AuditLog
from carevia.domain.auth.refresh import RefreshTokenService
from carevia.domain.auth.sessions import SessionRepository
from carevia.domain.caregivers.models import Caregiver, VerificationChecks
from carevia.domain.caregivers.repository import CaregiverRepository
from carevia.domain.files import FileKind, FileService
from carevia.domain.mail import Mailer
from carevia.domain.shared import Conflict, Forbidden, Invalid, NotFound, Page
from carevia.domain.shared.clock import Clock, utc_now
from carevia.domain.shared.documents import to_document
from carevia.domain.shared.pagination import clamp_page
from carevia.domain.shared.text import Text
from carevia.domain.shared.transactions import in_transaction

PAGE_SIZE = 20
DECISIONS = {"approve": "approved", "needs_changes": "needs_changes", "decline": "declined"}
DECISION_ACTIONS = {
    "approved": "admin.application_approved",
    "needs_changes": "admin.application_needs_changes",
    "declined": "admin.application_declined",
}
MISSING = Text("No such application.")
REFERENCES_CHECKED = 2


class ApplicationService:
    def __init__(
        self,
        *,
        database: AsyncDatabase[dict[str, Any]],
        applications: ApplicationRepository,
        users: UserRepository,
        caregivers: CaregiverRepository,
        sessions: SessionRepository,
        refresh_tokens: RefreshTokenService,
        files: FileService,
        mailer: Mailer,
        audit: AuditLog,
        base_url: str,
        clock: Clock = utc_now,
    ) -> None:
        self._database = database
        self._applications = applications
        self._users = users
        self._caregivers = caregivers
        self._sessions = sessions
        self._refresh_tokens = refresh_tokens
        self._files = files
        self._mailer = mailer
        self._audit = audit
        self._base_url = base_url.rstrip("/")
        self._clock = clock

    # The applicant's side.

    async def mine(self, user: User) -> Application | None:
        return await self._applications.of_user(user.id)

    async def save(self, user: User, form: ApplicationForm) -> Application:
        """Store the answers; with `intent=submit` also send them for review."""
        _require_applicant(user)
        checked, errors = check_form(form)
        current = await self._applications.of_user(user.id)
        if form.intent == "submit" and (current is None or not current.documents):
            errors["documents"] = Text(
                "Add at least one certificate before sending the application."
            )
        if checked is None or errors:
            raise Invalid(errors)
        if current is not None and not current.editable:
            raise Conflict(Text("Your application is being reviewed and cannot be changed now."))
        application = current or await self._draft(user)
        saved = await self._applications.update_editable(
            application.id, {**_answers(checked), "display_name": user.full_name}, self._clock()
        )
        if saved is None:
            raise Conflict(Text("Your application is being reviewed and cannot be changed now."))
        if form.intent == "submit":
            return await self._submit(user, saved)
        return saved

    async def add_document(self, user: User, content: bytes, file_name: str) -> Application:
        _require_applicant(user)
        await self._editable_of(user)
        upload = await self._files.store(FileKind.APPLICANT_DOCUMENT, content, file_name, user)
        application = await self._applications.of_user(user.id) or await self._draft(user)
        document = Document(
            id=upload.id,
            name=file_name.strip()[:120] or "certificate",
            is_pdf=content.startswith(b"%PDF-"),
        )
        added = await self._applications.add_document(application.id, document, self._clock())
        if added is None:  # sent for review meanwhile, or full: keep nothing behind
            await self._files.discard(upload.id)
            raise Conflict(
                Text(
                    "Up to %(count)d files, while the application can be edited.",
                    count=MAX_DOCUMENTS,
                )
            )
        return added

    async def remove_document(self, user: User, upload_id: str) -> Application:
        application = await self._editable_of(user)
        oid = parse_object_id(upload_id)
        if application is None or oid is None:
            raise NotFound(Text("No such file on your application."))
        removed = await self._applications.remove_document(application.id, oid, self._clock())
        if removed is None:
            raise NotFound(Text("No such file on your application."))
        await self._files.discard(oid)
        return removed

    async def set_photo(self, user: User, content: bytes, file_name: str) -> Application:
        _require_applicant(user)
        await self._editable_of(user)
        upload = await self._files.store(FileKind.CAREGIVER_PHOTO, content, file_name, user)
        application = await self._applications.of_user(user.id) or await self._draft(user)
        before = await self._applications.set_photo(application.id, upload.id, self._clock())
        if before is None:
            await self._files.discard(upload.id)
            raise Conflict(Text("Your application is being reviewed and cannot be changed now."))
        if before.photo_id is not None:
            await self._files.discard(before.photo_id)
        return await self._applications.get(application.id) or before

    # The admins' side.

    async def queue(self, admin: User, status: str, page: int) -> Page[Application]:
        _require_admin(admin)
        if status and status not in STATUS_LABELS:
            raise Invalid({"status": Text("Choose one of the listed statuses.")})
        total = await self._applications.count(status or None)
        request = clamp_page(page, total, PAGE_SIZE)
        items = await self._applications.page(status or None, request.skip, request.size)
        return Page(items=items, number=request.number, size=request.size, total=total)

    async def waiting_count(self) -> int:
        """Applications sent and not yet decided, for the dashboard's navigation."""
        return await self._applications.count("submitted")

    async def review(self, admin: User, application_id: str, ip: str | None) -> Application:
        """One application in full, national ID included; each look is audited."""
        _require_admin(admin)
        application = await self._get(application_id)
        await self._audit.record(
            "admin.application_read",
            actor_id=str(admin.id),
            actor_role=admin.role,
            target_type="application",
            target_id=str(application.id),
            ip=ip,
        )
        return application

    async def decide(
        self, admin: User, application_id: str, form: DecisionForm, ip: str | None
    ) -> Application:
        _require_admin(admin)
        target = DECISIONS.get(form.decision)
        note = form.note.strip()
        if target is None:
            raise Invalid({"decision": Text("Choose approve, ask for changes, or decline.")})
        if target != "approved" and not 5 <= len(note) <= 2000:
            if target == "needs_changes":
                problem = Text("Tell the applicant what to change (5 to 2000 characters).")
            else:
                problem = Text("Tell the applicant why it is declined (5 to 2000 characters).")
            raise Invalid({"note": problem})
        application = await self._get(application_id)
        applicant = await self._users.get(application.user_id)
        if applicant is None or applicant.deleted_at is not None:
            raise Conflict(Text("The applicant's account no longer exists."))
        if target == "approved" and applicant.role != "patient":
            raise Conflict(Text("Only an account without another role can become a caregiver."))
        decided = await self._move(
            application, admin, target, note if target != "approved" else "", ip, applicant
        )
        if target == "approved":
            await self._end_sessions(applicant)
            if decided.photo_id is not None:
                await self._files.publish(decided.photo_id)
        self._mailer.wake()
        return decided

    # The one path of every status change.

    async def _move(
        self,
        application: Application,
        actor: User,
        target: str,
        note: str,
        ip: str | None,
        applicant: User,
    ) -> Application:
        allowed = ADMIN_MOVES if actor.role == "admin" else APPLICANT_MOVES
        if target not in allowed.get(application.status, ()):
            raise Conflict(
                f"This application is {STATUS_LABELS[application.status].lower()}; "
                "it cannot be changed that way now."
            )
        now = self._clock()
        change = StatusChange(status=target, at=now, by=actor.id, note=note)  # type: ignore[arg-type]
        fields: dict[str, Any] = {"note": note}
        if target == "submitted":
            fields["submitted_at"] = now
        action = DECISION_ACTIONS.get(target, "application.submitted")

        async def write(session: AsyncClientSession) -> Application:
            moved = await self._applications.move(
                application.id, change, application.status, fields, session
            )
            if moved is None:
                raise Conflict(Text("Someone else changed this application first; reload it."))
            if target == "approved":
                await self._users.set_role(applicant.id, "caregiver", now, session=session)
                await self._caregivers.save_approved(_caregiver_of(moved, now), session)
            await self._audit.record(
                action,
                actor_id=str(actor.id),
                actor_role=actor.role,
                target_type="application",
                target_id=str(application.id),
                ip=ip,
                session=session,
                applicant_id=str(applicant.id),
                before=application.status,
                after=target,
            )
            if actor.role == "admin":
                await self._mailer.enqueue(
                    applicant.email,
                    "application_decided",
                    session=session,
                    dedupe_key=f"application:{application.id}:{len(moved.history)}",
                    first_name=applicant.first_name,
                    status=target,
                    note=note,
                    link=f"{self._base_url}/become-a-caregiver",
                )
            return moved

        return await in_transaction(self._database, write)

    async def _submit(self, user: User, application: Application) -> Application:
        return await self._move(application, user, "submitted", "", None, user)

    async def _draft(self, user: User) -> Application:
        now = self._clock()
        application = Application(
            id=ObjectId(),
            user_id=user.id,
            display_name=user.full_name,
            created_at=now,
            updated_at=now,
        )
        try:
            await self._applications.add(application)
        except Conflict:  # a second tab created it a moment ago
            existing = await self._applications.of_user(user.id)
            if existing is None:
                raise
            return existing
        return application

    async def _editable_of(self, user: User) -> Application | None:
        _require_applicant(user)
        application = await self._applications.of_user(user.id)
        if application is not None and not application.editable:
            raise Conflict(Text("Your application is being reviewed and cannot be changed now."))
        return application

    async def _get(self, application_id: str) -> Application:
        oid = parse_object_id(application_id)
        application = None if oid is None else await self._applications.get(oid)
        if application is None:
            raise NotFound(MISSING)
        return application

    async def _end_sessions(self, user: User) -> None:
        """The new role takes effect at the next sign-in, as after any role change."""
        await self._sessions.delete_for_user(user.id)
        await self._refresh_tokens.revoke_all_for_user(str(user.id))


def _answers(checked: Checked) -> dict[str, Any]:
    return to_document(checked)


def _caregiver_of(application: Application, now: datetime) -> Caregiver:
    return Caregiver(
        id=application.user_id,
        display_name=application.display_name,
        bio=application.bio,
        categories=application.categories,
        divisions=application.divisions,
        languages=application.languages,
        years_experience=application.years_experience,
        verified=True,
        checks=VerificationChecks(
            national_id=True,
            certificates=len(application.documents),
            references=REFERENCES_CHECKED,
            checked_at=now,
        ),
        availability=application.availability,
        photo_id=application.photo_id,
        created_at=now,
        updated_at=now,
    )


def _require_applicant(user: User) -> None:
    if user.role != "patient":
        raise Forbidden(
            Text("Caregivers and admins already have their accounts; they do not apply.")
        )


def _require_admin(user: User) -> None:
    if user.role != "admin":
        raise Forbidden(Text("Only admins review applications."))
