from __future__ import annotations

from pathlib import Path

import pytest

from carevia.settings import DEFAULT_SECRET_KEY, ConfigurationError, Settings


def test_development_defaults_need_no_environment(tmp_path: Path) -> None:
    settings = Settings.from_env({}, env_file=tmp_path / "missing.env")
    assert settings.env == "development"
    assert settings.database.uri is None
    assert settings.currency == "BDT"
    settings.validate_for_start()


def test_environment_overrides_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("MONGODB_DB=from_file\nCURRENCY=usd\nSMTP_PORT=2525\n")
    settings = Settings.from_env({"MONGODB_DB": "from_env"}, env_file=env_file)
    assert settings.database.name == "from_env"
    assert settings.currency == "USD"
    assert settings.mail.port == 2525


def test_production_refuses_default_or_missing_secrets(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"APP_ENV": "production", "SECRET_KEY": DEFAULT_SECRET_KEY}, env_file=tmp_path / "x"
    )
    with pytest.raises(ConfigurationError) as raised:
        settings.validate_for_start()
    message = str(raised.value)
    for name in [
        "SECRET_KEY",
        "MONGODB_URI",
        "STRIPE_SECRET_KEY",
        "STRIPE_WEBHOOK_SECRET",
        "PUBLIC_BASE_URL",
    ]:
        assert name in message


def test_production_with_real_settings_starts(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "k" * 48,
            "MONGODB_URI": "mongodb://db.internal:27017",
            "STRIPE_SECRET_KEY": "sk_live_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_real",
            "PUBLIC_BASE_URL": "https://carevia.example/",
            "SMTP_HOST": "smtp.carevia.example",
        },
        env_file=tmp_path / "x",
    )
    settings.validate_for_start()
    assert settings.public_base_url == "https://carevia.example"
    assert settings.secure_cookies


def test_unknown_app_env_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="APP_ENV"):
        Settings.from_env({"APP_ENV": "staging"}, env_file=tmp_path / "x")


def test_the_support_number_and_its_links(tmp_path: Path) -> None:
    default = Settings.from_env({}, env_file=tmp_path / "missing.env")
    assert default.support_phone == "+880 9612-345678"
    assert default.support_whatsapp_link == "https://wa.me/8809612345678"
    assert default.support_phone_link == "tel:+8809612345678"
    other = Settings.from_env({"SUPPORT_PHONE": " +880 (17) 1100-0222 "}, env_file=tmp_path / "x")
    assert other.support_phone == "+880 (17) 1100-0222"
    assert other.support_whatsapp_link == "https://wa.me/8801711000222"


def test_the_local_openid_provider_never_stands_in_for_google_in_production(
    tmp_path: Path,
) -> None:
    development = Settings.from_env({}, env_file=tmp_path / "x")
    with_google = Settings.from_env(
        {"GOOGLE_CLIENT_ID": "id.apps.googleusercontent.com", "GOOGLE_CLIENT_SECRET": "s"},
        env_file=tmp_path / "x",
    )
    production = Settings.from_env(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "k" * 48,
            "MONGODB_URI": "mongodb://db.internal:27017",
            "STRIPE_SECRET_KEY": "sk_live_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_real",
            "PUBLIC_BASE_URL": "https://carevia.example/",
            "SMTP_HOST": "smtp.carevia.example",
        },
        env_file=tmp_path / "x",
    )

    assert development.uses_local_openid_provider
    assert not with_google.uses_local_openid_provider
    assert not production.uses_local_openid_provider
    assert not production.offers_google_sign_in


def test_production_refuses_a_google_client_without_its_secret_or_over_plain_http(
    tmp_path: Path,
) -> None:
    settings = Settings.from_env(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "k" * 48,
            "MONGODB_URI": "mongodb://db.internal:27017",
            "STRIPE_SECRET_KEY": "sk_live_x",
            "STRIPE_WEBHOOK_SECRET": "whsec_real",
            "PUBLIC_BASE_URL": "https://carevia.example/",
            "SMTP_HOST": "smtp.carevia.example",
            "GOOGLE_CLIENT_ID": "id.apps.googleusercontent.com",
            "GOOGLE_DISCOVERY_URL": "http://127.0.0.1:8000/dev/openid/.well-known/openid-configuration",
        },
        env_file=tmp_path / "x",
    )

    with pytest.raises(ConfigurationError) as refused:
        settings.validate_for_start()

    assert "GOOGLE_CLIENT_SECRET is required" in str(refused.value)
    assert "GOOGLE_DISCOVERY_URL must be an https:// address" in str(refused.value)
