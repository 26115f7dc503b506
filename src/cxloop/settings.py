"""The one settings object. Every knob is a ``CXLOOP_*`` environment variable."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


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
        default="UTC", description="Time zone for display when a user has none."
    )

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'cxloop.db').resolve()}"

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
