"""The one settings object. Every knob is a ``CXLOOP_*`` environment variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _comma_list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class Settings(BaseSettings):
    """Runtime configuration, read from ``CXLOOP_*`` environment variables (or a ``.env``)."""

    model_config = SettingsConfigDict(env_prefix="CXLOOP_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("data"),
        description="Directory holding the embedded SQLite database and exports.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; defaults to SQLite at DATA_DIR/cxloop.db. "
        "Use postgresql+psycopg://user@host/db for PostgreSQL.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key signing session cookies; generated into DATA_DIR/secret_key if unset.",
    )
    https_only_cookies: bool = Field(
        default=False, description="Mark session cookies Secure (set when served over HTTPS)."
    )
    session_max_age_s: int = Field(
        default=14 * 24 * 3600, description="Lifetime of a web sign-in, in seconds."
    )
    oidc_issuer: str | None = Field(
        default=None,
        description="OpenID Connect issuer URL; its /.well-known/openid-configuration is read. "
        "Single sign-on is offered when the issuer, client id and client secret are all set.",
    )
    oidc_client_id: str | None = Field(default=None, description="Client id cxloop has there.")
    oidc_client_secret: str | None = Field(default=None, description="That client's secret.")
    oidc_scopes: str = Field(
        default="openid email profile", description="Scopes asked for (space-separated)."
    )
    oidc_provider_name: str = Field(
        default="single sign-on", description="Shown on the sign-in page: 'Sign in with <name>'."
    )
    oidc_default_role: str = Field(
        default="viewer",
        description="Role of a person created on their first single sign-on; 'none' refuses "
        "people who have no cxloop account yet.",
    )
    oidc_allowed_domains: str = Field(
        default="",
        description="Comma-separated email domains allowed to sign in through the provider; "
        "empty allows any.",
    )
    oidc_role_claim: str | None = Field(
        default=None, description="ID token claim (e.g. groups) whose values map to roles."
    )
    oidc_role_map: str = Field(
        default="",
        description="Claim value to role, 'value=role' pairs separated by commas; the first "
        "pair the person matches wins.",
    )

    @field_validator("oidc_role_map")
    @classmethod
    def _role_pairs(cls, value: str) -> str:
        for pair in _comma_list(value):
            claim_value, _, role = pair.partition("=")
            if not claim_value.strip() or not role.strip():
                raise ValueError(f"'{pair}' is not a value=role pair (e.g. cx-admins=admin)")
        return value

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id and self.oidc_client_secret)

    @property
    def oidc_domains(self) -> frozenset[str]:
        return frozenset(d.lower().lstrip("@") for d in _comma_list(self.oidc_allowed_domains))

    @property
    def oidc_roles(self) -> dict[str, str]:
        """Claim value -> role, in the order written (the first match wins)."""
        pairs = (pair.partition("=") for pair in _comma_list(self.oidc_role_map))
        return {value.strip(): role.strip() for value, _, role in pairs}

    max_event_bytes: int = Field(
        default=32 * 1024, description="Largest accepted single ingest event (Segment: 32 KB)."
    )
    max_batch_bytes: int = Field(
        default=500 * 1024, description="Largest accepted ingest batch (Segment: 500 KB)."
    )
    allow_weak_identity_merge: bool = Field(
        default=False,
        description="Merge two known customers who share only a weak identity "
        "(an anonymous or device id). Off: a shared device never joins two people.",
    )
    default_timezone: str = Field(
        default="UTC",
        description="IANA time zone the web app shows times in (e.g. Europe/Paris).",
    )

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(
                f"unknown time zone '{value}' (use an IANA name such as Europe/Paris)"
            ) from exc
        return value

    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address respondents reach cxloop at; the base of links in emails.",
    )
    smtp_host: str = Field(default="127.0.0.1", description="SMTP server for outgoing email.")
    smtp_port: int = Field(default=25, description="SMTP port (587 with STARTTLS, 465 with SSL).")
    smtp_security: Literal["none", "starttls", "ssl"] = Field(
        default="none", description="Transport security of the SMTP connection."
    )
    smtp_username: str | None = Field(default=None, description="SMTP login, if required.")
    smtp_password: str | None = Field(default=None, description="SMTP password, if required.")
    smtp_timeout_s: float = Field(default=10.0, description="SMTP connect and command timeout.")
    smtp_retries: int = Field(
        default=3, ge=0, description="Retries of a temporary SMTP failure, with back-off."
    )
    mail_from: str = Field(
        default="cxloop <surveys@localhost>", description="From address of outgoing email."
    )
    survey_webhook_url: str | None = Field(
        default=None,
        description="Where SMS and chat survey invitations are posted (Standard Webhooks).",
    )
    survey_webhook_secret: str | None = Field(
        default=None, description="Signing secret of that webhook (whsec_ + base64)."
    )
    survey_cooldown_days: int = Field(
        default=30, ge=0, description="Invite a customer to at most one survey per N days."
    )
    survey_link_ttl_days: int = Field(
        default=30, ge=1, description="Days a survey invitation or started response stays valid."
    )

    support_address: str = Field(
        default="support@localhost",
        description="Address answers to cases come from; customers' replies to "
        "support+<case token>@ that domain thread onto the case.",
    )
    case_webhook_url: str | None = Field(
        default=None,
        description="Where answers on chat, SMS and social cases are posted (Standard Webhooks), "
        "for the company's own connector to deliver.",
    )
    case_webhook_secret: str | None = Field(
        default=None, description="Signing secret of that webhook (whsec_ + base64)."
    )
    notify_webhook_url: str | None = Field(
        default=None,
        description="Slack- or Teams-compatible incoming webhook told of assignments, SLA "
        "warnings and escalations (a department's own URL takes precedence).",
    )
    inbound_smtp_port: int = Field(
        default=2525, description="Port of 'cxloop inbound-smtp', which receives replies by email."
    )
    routing_threshold: float = Field(
        default=0.6,
        ge=0,
        le=1,
        description="Confidence the learned router needs to place a case; below it, triage.",
    )

    metrics_min_n: int = Field(
        default=10,
        ge=1,
        description="Metric values over fewer answers than this are suppressed (shown as n only).",
    )
    metrics_refresh_seconds: float = Field(
        default=30.0,
        ge=0,
        description="How old the dashboard's materialised analytic tables may get before a "
        "view catches them up with the database (0: every view).",
    )
    alert_webhook_secret: str | None = Field(
        default=None,
        description="Signing secret (whsec_ + base64) of alert webhooks in the 'standard' "
        "format, sent to receivers of your own; chat webhooks are not signed.",
    )
    loop_closure_target_hours: float = Field(
        default=48.0,
        gt=0,
        description="Business hours within which a detractor or churn threat should hear back "
        "when no case deadline covers it (the loop closure metric).",
    )

    jobs_url: str | None = Field(
        default=None,
        description="Job queue: unset keeps it in SQLite at DATA_DIR/jobs.db; a redis:// URL "
        "uses Redis; 'memory' runs each job at once in the caller (tests, scripts).",
    )
    model_dir: Path | None = Field(
        default=None,
        description="Models built on this machine (the int8 encoder) and heads deployed with "
        "'cxloop model use'; defaults to DATA_DIR/models.",
    )
    cache_dir: Path | None = Field(
        default=None,
        description="Embeddings of training files, so retraining is fast; defaults to "
        "DATA_DIR/cache. Safe to delete.",
    )
    max_text_chars: int = Field(
        default=5000, description="Longest text analysed; longer texts are cut and marked."
    )
    enrichment_batch: int = Field(default=64, description="Interactions per enrichment job.")

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cxloop.db').resolve()}"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.data_dir / "models"

    @property
    def resolved_cache_dir(self) -> Path:
        return self.cache_dir or self.data_dir / "cache"

    def resolved_secret_key(self) -> str:
        """Return the signing key, creating a persistent random one on first use."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            import secrets

            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
