"""Settings from the environment (prefix ``MERCATO_``), read once per process."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The repository root holds stores/ and migrations/; the package is installed editable by uv.
PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_SECRET = "dev-insecure-secret-change-me"  # noqa: S105 - refused outside development


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="MERCATO_", env_file=".env", extra="ignore")

    env: Literal["development", "test", "production"] = "development"
    secret_key: SecretStr = SecretStr(DEFAULT_SECRET)
    # Either a template with ``{store}`` (one database per store) or empty for SQLite files
    # ``var/<slug>.db``. Example: ``postgresql+asyncpg://db/mercato_{store}``.
    database_url: str = ""
    redis_url: str = ""
    stores_dir: Path = PROJECT_ROOT / "stores"
    var_dir: Path = PROJECT_ROOT / "var"
    storage_dir: Path | None = None  # uploaded files; default var/uploads
    base_url: str = ""  # public origin used in emails, e.g. https://shop.example.com
    log_level: str = "INFO"  # `mercato serve`; INFO writes one JSON line per request

    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: SecretStr = SecretStr("")
    smtp_starttls: bool = True
    email_from: str = "Mercato <no-reply@mercato.invalid>"

    access_token_minutes: int = 15
    refresh_token_days: int = 30
    session_days: int = 14
    # Rate limits in the `limits` notation; tests and benchmarks may loosen them.
    rate_limit_signin: str = "10/minute"
    rate_limit_signin_account: str = "5/minute"
    rate_limit_signup: str = "5/minute"
    rate_limit_reset: str = "5/minute"
    rate_limit_token: str = "20/minute"  # noqa: S105 - a rate, not a secret
    upload_max_bytes: int = 8 * 1024 * 1024
    rate_limit_checkout: str = "20/minute"
    rate_limit_newsletter: str = "5/minute"
    # Payments: the built-in sandbox needs nothing; Stripe is offered once its keys are set.
    stripe_secret_key: SecretStr = SecretStr("")
    stripe_webhook_secret: SecretStr = SecretStr("")
    stripe_api_base: str = ""  # tests point the SDK at a local fake; empty = Stripe's own
    # How long stock stays held for an order awaiting payment.
    checkout_hold_minutes: int = Field(30, ge=1, le=24 * 60)
    # Google sign-in (Authlib, OpenID Connect) is offered once both are set.
    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    google_metadata_url: str = "https://accounts.google.com/.well-known/openid-configuration"
    worker_poll_seconds: float = Field(1.0, gt=0)
    # PostgreSQL connections each server or worker process keeps per store (a fixed pool).
    db_pool_size: int = Field(10, ge=1, le=200)
    # Anonymous storefront pages kept in memory at most this long (0 = off); they are
    # dropped sooner whenever what they show changes (web/page_cache.py).
    page_cache_seconds: int = Field(300, ge=0)
    # Catalogue-derived values (filter choices, humour counts) kept per process until the
    # catalogue changes, for every visitor (catalog.service.derived).
    facet_cache: bool = True
    # FastAPI's own OpenTelemetry spans, metrics and logs. Off unless asked for: even with no
    # provider configured it asks the global providers on every request in every app a
    # request crosses; /metrics (Prometheus) is Mercato's own.
    opentelemetry: bool = False

    @property
    def fastapi_telemetry(self) -> dict[str, bool]:
        """The ``telemetry`` argument of every FastAPI app Mercato builds."""
        on = self.opentelemetry
        return {"tracing": on, "metrics": on, "logs": on}

    @property
    def is_development(self) -> bool:
        return self.env != "production"

    @property
    def uploads_dir(self) -> Path:
        return self.storage_dir or self.var_dir / "uploads"

    def database_url_for(self, slug: str) -> str:
        if not self.database_url:
            return f"sqlite+aiosqlite:///{self.var_dir / slug.replace('-', '_')}.db"
        if "{store}" in self.database_url:
            return self.database_url.replace("{store}", slug.replace("-", "_"))
        return self.database_url

    def uses_default_secret(self) -> bool:
        return self.secret_key.get_secret_value() == DEFAULT_SECRET


@lru_cache
def get_settings() -> Settings:
    return Settings()
