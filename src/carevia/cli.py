"""The `carevia` command: serve, seed, users, payments and reviews."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import secrets
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from types import FrameType
from typing import Any, NoReturn

import msgspec

from carevia.db import connected_database
from carevia.domain.accounts import (
    AccountService,
    AccountTokenRepository,
    Role,
    User,
    UserRepository,
)
from carevia.domain.accounts.reset_throttle import ResetThrottle
from carevia.domain.accounts.seed import DEMO_ADMIN_EMAIL, seed_demo_admin
from carevia.domain.audit import AuditLog
from carevia.domain.auth import SessionRepository
from carevia.domain.caregivers.seed import demo_caregivers, seed_caregivers
from carevia.domain.catalogue import ServiceRepository
from carevia.domain.catalogue.seed import seed_catalogue
from carevia.domain.mail import Mailer, MailRenderer, OutboxRepository
from carevia.domain.reviews.seed import seed_reviews
from carevia.domain.shared import Conflict, Invalid
from carevia.domain.shared.clock import utc_now
from carevia.embedded_db import (
    EmbeddedDatabase,
    EmbeddedDatabaseError,
    published_database_uri,
    running_embedded_database,
)
from carevia.settings import ConfigurationError, Settings
from carevia.web.mail_words import CatalogueWords


@contextmanager
def database_for(settings: Settings) -> Iterator[Settings]:
    """The configured MongoDB, the one a running `carevia serve` started, or a new one."""
    with _database_for(settings, serving=False) as (running, _):
        yield running


@contextmanager
def _database_for(
    settings: Settings, *, serving: bool
) -> Iterator[tuple[Settings, EmbeddedDatabase | None]]:
    """The settings to connect with, and the embedded database if this process started one.

    Only one process can hold the embedded database's data directory, so a command run
    next to the dev server borrows the server's database; the server itself publishes it.
    """
    if settings.database.uri:
        yield settings, None
        return
    if uri := published_database_uri(settings.data_dir):
        if serving:
            raise EmbeddedDatabaseError(
                f"another `carevia serve` already runs on {settings.data_dir} "
                f"(its database is on {uri}); stop it first or set CAREVIA_DATA_DIR"
            )
        print(f"Using the database of the running server on {uri}")
        yield settings.with_database_uri(uri), None
        return
    with running_embedded_database(settings.data_dir, publish=serving) as embedded:
        print(f"Embedded database on {embedded.uri} (data in {settings.data_dir / 'db'})")
        yield settings.with_database_uri(embedded.uri), embedded


DEMO_PASSWORD = "gentle-hands-demo-24"  # noqa: S105 - demo accounts, development only


def demo_password(settings: Settings) -> str:
    """Known in development so people can try the dashboard; random anywhere else."""
    return DEMO_PASSWORD if settings.env == "development" else secrets.token_urlsafe(24)


class SeedReport(msgspec.Struct, frozen=True):
    """What a seed run added; None where the demo data was already there."""

    services: int | None
    caregivers: int | None
    admin: bool
    reviews: int | None = None

    def __str__(self) -> str:
        if self.services is None or self.caregivers is None:
            text = "Demo data already present; leaving it as it is."
        else:
            text = (
                f"Seeded demo data: {self.services} new services, "
                f"{self.caregivers} new caregivers, {self.reviews or 0} new reviewed visits."
            )
        return text + (f" Created the demo admin {DEMO_ADMIN_EMAIL}." if self.admin else "")


async def _seed(settings: Settings, only_if_new: bool) -> SeedReport:
    async with connected_database(settings) as database:
        now = utc_now()
        # An admin whose password is in the README would be anyone's admin: development only.
        admin = settings.env == "development" and await seed_demo_admin(
            UserRepository(database), now, DEMO_PASSWORD
        )
        if only_if_new and await database["services"].estimated_document_count() > 0:
            return SeedReport(None, None, admin)
        services = await seed_catalogue(ServiceRepository(database), now, settings.currency)
        caregivers = await seed_caregivers(database, now, demo_password(settings))
        # Every rating on the site comes from these reviews; none is seeded as a number.
        reviews = await seed_reviews(database, now, demo_password(settings))
        return SeedReport(services, caregivers, admin, reviews)


async def _rebuild_summaries(settings: Settings) -> int:
    from carevia.composition import review_service_for

    async with connected_database(settings) as database:
        return await review_service_for(database).rebuild_summaries()


def rebuild_summaries(settings: Settings) -> None:
    settings.validate_for_start()
    with database_for(settings) as running:
        written = asyncio.run(_rebuild_summaries(running))
    print(f"Rebuilt {written} rating summaries from the stored reviews.")


async def _create_user(
    settings: Settings, email: str, name: str, role: Role, password: str
) -> User:
    async with connected_database(settings) as database:
        accounts = AccountService(
            users=UserRepository(database),
            tokens=AccountTokenRepository(database),
            sessions=SessionRepository(database),
            mailer=Mailer(
                OutboxRepository(database),
                MailRenderer(words=CatalogueWords()),
                languages=UserRepository(database),
            ),
            audit=AuditLog(database),
            reset_throttle=ResetThrottle(database),
            base_url=settings.public_base_url,
        )
        return await accounts.create_user(email, name, role, password)


def read_new_password(from_stdin: bool) -> str:
    """The first line of standard input for scripts; at a terminal, asked twice unechoed."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not sys.stdin.isatty():
        sys.exit(
            "carevia: standard input is not a terminal; "
            "pass --password-stdin to read the password from it"
        )
    password = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != password:
        sys.exit("carevia: the two passwords differ; nothing was created")
    return password


def create_user(
    settings: Settings, email: str, name: str, role: Role, password_stdin: bool
) -> None:
    password = read_new_password(password_stdin)
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


def ready_banner(settings: Settings, host: str, port: int) -> str:
    """What `make run` shows once the site answers: where it is and how to sign in."""
    shown_host = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104
    url = f"http://{shown_host}:{port}"
    caregiver = demo_caregivers()[0].email
    lines = [
        f"Carevia is ready at {url}",
        f"Admin:     {DEMO_ADMIN_EMAIL} / {DEMO_PASSWORD}",
        f"Caregiver: {caregiver} / {DEMO_PASSWORD}",
        f"Mailbox:   {url}/dev/mailbox",
    ]
    if settings.public_base_url != url:
        lines += [
            f"Note: PUBLIC_BASE_URL is {settings.public_base_url}. Set PUBLIC_BASE_URL={url}",
            "so that links in emails and payment pages lead here.",
        ]
    width = max(len(line) for line in lines)
    rule = "─" * (width + 2)
    body = "\n".join(f"│ {line.ljust(width)} │" for line in lines)
    return f"┌{rule}┐\n{body}\n└{rule}┘"


def serve(settings: Settings, host: str, port: int, seed_if_new: bool) -> None:
    import uvicorn

    from carevia.access_log import drop_query_strings_from_access_log
    from carevia.app import create_app

    class Server(uvicorn.Server):
        banner: str | None = None

        async def startup(self, sockets: Any = None) -> None:
            await super().startup(sockets)
            if self.started and self.banner:
                print(self.banner, flush=True)

    settings.validate_for_start()
    # uvicorn shuts down gracefully on SIGTERM and then raises the signal again. Left
    # at its default action, that second SIGTERM would end the process before the
    # embedded database is stopped; as SystemExit it unwinds through database_for.
    signal.signal(signal.SIGTERM, _exit_quietly)
    with _database_for(settings, serving=True) as (running, embedded):
        if seed_if_new:
            print(asyncio.run(_seed(running, only_if_new=True)))
        print(f"Carevia is running on http://{host}:{port}")
        server = Server(
            uvicorn.Config(
                create_app(running, database_process=embedded),
                host=host,
                port=port,
                proxy_headers=running.is_production,
                # "server: uvicorn" tells a scanner which software to look up; say nothing.
                server_header=False,
                # Open SSE streams would otherwise keep the process alive after SIGTERM.
                timeout_graceful_shutdown=5,
                log_level="info",
            )
        )
        drop_query_strings_from_access_log()
        if seed_if_new and running.env == "development":
            server.banner = ready_banner(running, host, port)
        server.run()


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
        help="read the password from the first line of standard input "
        "(without it, a terminal asks for it twice)",
    )

    payments = commands.add_parser("payments", help="payment operations").add_subparsers(
        dest="payments_command", required=True
    )
    payments.add_parser(
        "reconcile",
        help="apply sessions the gateway reports paid or expired but no webhook told us",
    )

    reviews = commands.add_parser("reviews", help="review operations").add_subparsers(
        dest="reviews_command", required=True
    )
    reviews.add_parser(
        "rebuild", help="recompute every caregiver's and service's rating from the reviews"
    )

    args = parser.parse_args(argv)
    try:
        settings = Settings.from_env()
        if args.command == "serve":
            serve(settings, args.host, args.port, args.seed_if_new)
        elif args.command == "seed":
            settings.validate_for_start()
            with database_for(settings) as running:
                print(asyncio.run(_seed(running, only_if_new=False)))
        elif args.command == "payments":
            reconcile(settings)
        elif args.command == "reviews":
            rebuild_summaries(settings)
        elif args.command == "users":
            settings.validate_for_start()
            create_user(settings, args.email, args.name, args.role, args.password_stdin)
    except (ConfigurationError, EmbeddedDatabaseError) as error:
        sys.exit(f"carevia: {error}")
