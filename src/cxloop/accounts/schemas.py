"""Accounts in and out of the API."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, EmailStr, Field


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
