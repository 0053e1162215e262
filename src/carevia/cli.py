"""The `carevia` command: serve, seed and users."""

from __future__ import annotations

import argparse
import asyncio
import secrets
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from types import FrameType
from typing import NoReturn

from carevia.db import connected_database
from carevia.domain.accounts import (
    AccountService,
    AccountTokenRepository,
    Role,
    User,
    UserRepository,
)
from carevia.domain.audit import AuditLog
from carevia.domain.auth import SessionRepository
from carevia.domain.caregivers.seed import seed_caregivers
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.catalogue.seed import seed_catalogue
from carevia.domain.mail import Mailer, MailRenderer, OutboxRepository
from carevia.domain.shared import Conflict, Invalid
from carevia.embedded_db import EmbeddedDatabaseError, running_embedded_database
from carevia.settings import ConfigurationError, Settings


@contextmanager
def database_for(settings: Settings) -> Iterator[Settings]:
    """The configured MongoDB, or the embedded one started for as long as the command runs."""
    if settings.database.uri:
        yield settings
        return
    with running_embedded_database(settings.data_dir) as embedded:
        print(f"Embedded database on {embedded.uri} (data in {settings.data_dir / 'db'})")
        yield settings.with_database_uri(embedded.uri)


DEMO_CAREGIVER_PASSWORD = "gentle-hands-demo-24"  # noqa: S105 - demo accounts, development only


def demo_caregiver_password(settings: Settings) -> str:
    """Known in development so people can try the dashboard; random anywhere else."""
    return DEMO_CAREGIVER_PASSWORD if settings.env == "development" else secrets.token_urlsafe(24)


async def _seed(settings: Settings, only_if_new: bool) -> tuple[int, int] | None:
    async with connected_database(settings) as database:
        if only_if_new and await database["services"].estimated_document_count() > 0:
            return None
        now = datetime.now(UTC)
        services = await seed_catalogue(ServiceRepository(database), now, settings.currency)
        caregivers = await seed_caregivers(database, now, demo_caregiver_password(settings))
        return services, caregivers


def _report_seed(inserted: tuple[int, int] | None) -> None:
    if inserted is None:
        print("Demo data already present; leaving it as it is.")
    else:
        services, caregivers = inserted
        print(f"Seeded demo data: {services} new services, {caregivers} new caregivers.")


async def _create_user(
    settings: Settings, email: str, name: str, role: Role, password: str
) -> User:
    async with connected_database(settings) as database:
        accounts = AccountService(
            users=UserRepository(database),
            tokens=AccountTokenRepository(database),
            sessions=SessionRepository(database),
            mailer=Mailer(OutboxRepository(database), MailRenderer()),
            audit=AuditLog(database),
            base_url=settings.public_base_url,
        )
        return await accounts.create_user(email, name, role, password)


def create_user(settings: Settings, email: str, name: str, role: Role) -> None:
    password = sys.stdin.readline().rstrip("\r\n")
    with database_for(settings) as running:
        try:
            user = asyncio.run(_create_user(running, email, name, role, password))
        except Invalid as invalid:
            sys.exit("carevia: " + " ".join(invalid.fields.values()))
        except Conflict as conflict:
            sys.exit(f"carevia: {conflict.message}")
    print(f"Created {user.role} {user.email} ({user.id}).")


async def _reconcile(settings: Settings) -> int:
    from carevia.app import create_app
    from carevia.composition import Services

    app = create_app(settings)
    async with app.lifespan():
        services: Services = app.state.services
        return await services.payments.reconcile(older_than=timedelta(0))


def reconcile(settings: Settings) -> None:
    settings.validate_for_start()
    with database_for(settings) as running:
        applied = asyncio.run(_reconcile(running))
    print(f"Reconciled payments: {applied} confirmed from the gateway.")


def _exit_quietly(signum: int, frame: FrameType | None) -> NoReturn:
    raise SystemExit(0)


def serve(settings: Settings, host: str, port: int, seed_if_new: bool) -> None:
    import uvicorn

    from carevia.app import create_app

    settings.validate_for_start()
    # uvicorn shuts down gracefully on SIGTERM and then raises the signal again. Left
    # at its default action, that second SIGTERM would end the process before the
    # embedded database is stopped; as SystemExit it unwinds through database_for.
    signal.signal(signal.SIGTERM, _exit_quietly)
    with database_for(settings) as running:
        if seed_if_new:
            _report_seed(asyncio.run(_seed(running, only_if_new=True)))
        print(f"Carevia is running on http://{host}:{port}")
        uvicorn.run(
            create_app(running),
            host=host,
            port=port,
            proxy_headers=running.is_production,
            # Open SSE streams would otherwise keep the process alive after SIGTERM.
            timeout_graceful_shutdown=5,
            log_level="info",
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="carevia", description="Carevia home-care marketplace")
    commands = parser.add_subparsers(dest="command", required=True)

    serve_parser = commands.add_parser("serve", help="run the web application")
    serve_parser.add_argument("--host", default="127.0.0.1")
    serve_parser.add_argument("--port", type=int, default=8000)
    serve_parser.add_argument(
        "--seed-if-new", action="store_true", help="load demo data when the database is empty"
    )

    commands.add_parser("seed", help="load the demo data (idempotent)")

    users = commands.add_parser("users", help="manage users").add_subparsers(
        dest="users_command", required=True
    )
    create = users.add_parser("create", help="create a user")
    create.add_argument("--email", required=True)
    create.add_argument("--name", required=True)
    create.add_argument("--role", choices=["admin", "caregiver", "patient"], required=True)
    create.add_argument(
        "--password-stdin",
        action="store_true",
        required=True,
        help="read the password from the first line of standard input",
    )

    payments = commands.add_parser("payments", help="payment operations").add_subparsers(
        dest="payments_command", required=True
    )
    payments.add_parser(
        "reconcile",
        help="apply sessions the gateway reports paid or expired but no webhook told us",
    )

    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "serve":
            serve(settings, args.host, args.port, args.seed_if_new)
        elif args.command == "seed":
            settings.validate_for_start()
            with database_for(settings) as running:
                _report_seed(asyncio.run(_seed(running, only_if_new=False)))
        elif args.command == "payments":
            reconcile(settings)
        elif args.command == "users":
            settings.validate_for_start()
            create_user(settings, args.email, args.name, args.role)
    except (ConfigurationError, EmbeddedDatabaseError) as error:
        sys.exit(f"carevia: {error}")
