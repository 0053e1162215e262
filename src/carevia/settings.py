"""Settings read once from the environment (and `.env`) into small frozen groups."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec
from dotenv import dotenv_values

Environment = Literal["development", "test", "production"]

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECRET_KEY = "dev-insecure-secret-key-change-me"  # noqa: S105 - refused in production
DEFAULT_WEBHOOK_SECRET = "whsec_dev_local_gateway"  # noqa: S105 - refused in production
DEFAULT_SUPPORT_PHONE = "+880 9612-345678"
GOOGLE_DISCOVERY_URL = "https://accounts.google.com/.well-known/openid-configuration"


class ConfigurationError(Exception):
    """The environment does not describe a runnable configuration."""


class DatabaseSettings(msgspec.Struct, frozen=True, kw_only=True):
    uri: str | None
    name: str = "carevia"
    timeout_ms: int = 2000


class StripeSettings(msgspec.Struct, frozen=True, kw_only=True):
    secret_key: str | None
    webhook_secret: str
    api_base: str | None = None


class MailSettings(msgspec.Struct, frozen=True, kw_only=True):
    host: str | None
    port: int = 587
    username: str | None = None
    password: str | None = None
    starttls: bool = True
    sender: str = "Carevia <no-reply@carevia.local>"


class GoogleSettings(msgspec.Struct, frozen=True, kw_only=True):
    """Google's OpenID Connect client; without `client_id`, no real Google sign-in."""

    client_id: str | None = None
    client_secret: str | None = None
    discovery_url: str = GOOGLE_DISCOVERY_URL


class BookingSettings(msgspec.Struct, frozen=True, kw_only=True):
    travel_fee: int = 50000  # minor units; charged outside a service's own divisions
    hold_minutes: int = 30
    max_days_ahead: int = 90
    min_notice_hours: int = 2


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    env: Environment = "development"
    secret_key: str = DEFAULT_SECRET_KEY
    public_base_url: str = "http://127.0.0.1:8000"
    data_dir: Path = PROJECT_ROOT / "var"
    static_dir: Path = PROJECT_ROOT / "static"
    currency: str = "BDT"
    timezone: str = "Asia/Dhaka"
    support_phone: str = DEFAULT_SUPPORT_PHONE
    database: DatabaseSettings = msgspec.field(default_factory=lambda: DatabaseSettings(uri=None))
    stripe: StripeSettings = msgspec.field(
        default_factory=lambda: StripeSettings(
            secret_key=None, webhook_secret=DEFAULT_WEBHOOK_SECRET
        )
    )
    mail: MailSettings = msgspec.field(default_factory=lambda: MailSettings(host=None))
    booking: BookingSettings = msgspec.field(default_factory=BookingSettings)
    google: GoogleSettings = msgspec.field(default_factory=GoogleSettings)

    @property
    def is_production(self) -> bool:
        return self.env == "production"

    @property
    def uses_local_openid_provider(self) -> bool:
        """The local test OpenID provider stands in without Google keys, never in production."""
        return not self.google.client_id and not self.is_production

    @property
    def offers_google_sign_in(self) -> bool:
        return bool(self.google.client_id) or self.uses_local_openid_provider

    @property
    def support_phone_digits(self) -> str:
        """The number in international form without "+", spaces or dashes."""
        return "".join(ch for ch in self.support_phone if ch.isdigit())

    @property
    def support_phone_link(self) -> str:
        return f"tel:+{self.support_phone_digits}"

    @property
    def support_whatsapp_link(self) -> str:
        return f"https://wa.me/{self.support_phone_digits}"

    @property
    def secure_cookies(self) -> bool:
        return self.env != "development"

    def with_database_uri(self, uri: str) -> Settings:
        return msgspec.structs.replace(
            self, database=msgspec.structs.replace(self.database, uri=uri)
        )

    def validate_for_start(self) -> None:
        """Refuse to start production with missing or development secrets."""
        if not self.is_production:
            return
        problems = []
        if (
            not self.secret_key
            or self.secret_key == DEFAULT_SECRET_KEY
            or len(self.secret_key) < 32
        ):
            problems.append("SECRET_KEY must be set to a random value of at least 32 characters")
        if not self.database.uri:
            problems.append("MONGODB_URI must point at the production MongoDB server")
        if not self.stripe.secret_key:
            problems.append(
                "STRIPE_SECRET_KEY is required (the local test gateway is not for production)"
            )
        if self.stripe.webhook_secret in ("", DEFAULT_WEBHOOK_SECRET):
            problems.append(
                "STRIPE_WEBHOOK_SECRET must be the signing secret of your Stripe endpoint"
            )
        if not self.mail.host:
            problems.append("SMTP_HOST is required: without it no email would reach anyone")
        if self.google.client_id and not self.google.client_secret:
            problems.append("GOOGLE_CLIENT_SECRET is required with GOOGLE_CLIENT_ID")
        if self.google.client_id and not self.google.discovery_url.startswith("https://"):
            problems.append(
                "GOOGLE_DISCOVERY_URL must be an https:// address (the local test provider "
                "is not for production)"
            )
        if not self.public_base_url.startswith("https://"):
            problems.append("PUBLIC_BASE_URL must be an https:// address")
        if problems:
            raise ConfigurationError(
                "Refusing to start in production:\n" + "\n".join(f"  - {p}" for p in problems)
            )

    @classmethod
    def from_env(
        cls, environ: Mapping[str, str] | None = None, env_file: Path | None = None
    ) -> Settings:
        """Merge `.env` (if present) under the process environment and parse it."""
        env_file = env_file if env_file is not None else Path.cwd() / ".env"
        values: dict[str, str] = (
            {k: v for k, v in dotenv_values(env_file).items() if v is not None}
            if env_file.is_file()
            else {}
        )
        values.update(os.environ if environ is None else environ)

        def get(name: str) -> str | None:
            value = values.get(name, "").strip()
            return value or None

        app_env = get("APP_ENV") or "development"
        if app_env not in ("development", "test", "production"):
            raise ConfigurationError(
                f"APP_ENV must be development, test or production, not {app_env!r}"
            )
        defaults = cls()
        try:
            smtp_port = int(get("SMTP_PORT") or 587)
            travel_fee = int(get("TRAVEL_FEE") or defaults.booking.travel_fee)
            hold_minutes = int(get("BOOKING_HOLD_MINUTES") or defaults.booking.hold_minutes)
        except ValueError as exc:
            raise ConfigurationError(
                "SMTP_PORT, TRAVEL_FEE and BOOKING_HOLD_MINUTES must be whole numbers"
            ) from exc
        return cls(
            env=app_env,  # type: ignore[arg-type]
            secret_key=get("SECRET_KEY") or ("" if app_env == "production" else DEFAULT_SECRET_KEY),
            public_base_url=(get("PUBLIC_BASE_URL") or defaults.public_base_url).rstrip("/"),
            data_dir=Path(get("CAREVIA_DATA_DIR") or defaults.data_dir),
            currency=(get("CURRENCY") or defaults.currency).upper(),
            timezone=get("CAREVIA_TIMEZONE") or defaults.timezone,
            support_phone=get("SUPPORT_PHONE") or defaults.support_phone,
            database=DatabaseSettings(uri=get("MONGODB_URI"), name=get("MONGODB_DB") or "carevia"),
            stripe=StripeSettings(
                secret_key=get("STRIPE_SECRET_KEY"),
                webhook_secret=get("STRIPE_WEBHOOK_SECRET")
                or ("" if app_env == "production" else DEFAULT_WEBHOOK_SECRET),
                api_base=get("STRIPE_API_BASE"),
            ),
            mail=MailSettings(
                host=get("SMTP_HOST"),
                port=smtp_port,
                username=get("SMTP_USERNAME"),
                password=get("SMTP_PASSWORD"),
                starttls=(get("SMTP_STARTTLS") or "true").lower() in ("1", "true", "yes"),
                sender=get("MAIL_FROM") or defaults.mail.sender,
            ),
            booking=BookingSettings(travel_fee=travel_fee, hold_minutes=hold_minutes),
            google=GoogleSettings(
                client_id=get("GOOGLE_CLIENT_ID"),
                client_secret=get("GOOGLE_CLIENT_SECRET"),
                discovery_url=get("GOOGLE_DISCOVERY_URL") or GOOGLE_DISCOVERY_URL,
            ),
        )
