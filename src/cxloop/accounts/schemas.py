"""Accounts in and out of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field, field_validator


class DepartmentRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    slug: str
    name: str


class UserCreate(BaseModel):
    email: EmailStr
    password: str = Field(min_length=8, max_length=200)
    role: str = Field(
        min_length=1, max_length=32, description="admin, analyst, agent, viewer or a custom role."
    )
    name: str = ""
    departments: list[str] = Field(default_factory=list, description="Department slugs.")


class UserRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    email: str
    name: str
    role: str
    is_active: bool
    created_at: datetime
    departments: list[DepartmentRead]


class TokenRead(BaseModel):
    token: str
    id: int
    scopes: list[str]
    expires_at: datetime | None


class TokenInfo(BaseModel):
    """A token as listed: never its secret, only the prefix that identifies it."""

    model_config = ConfigDict(from_attributes=True)
    id: int
    user_id: int
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None

    @field_validator("scopes", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        return value.split() if isinstance(value, str) else value
