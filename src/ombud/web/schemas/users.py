"""Users and API tokens (admins manage users; everyone their own tokens)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class UserCreate(BaseModel):
    email: str
    role: str = Field(description="admin, agent or analyst.")
    password: str = Field(min_length=1)
    name: str | None = None
    language: str | None = Field(None, description="sv, nb, nn, da or en.")


class UserUpdate(BaseModel):
    role: str | None = None
    name: str | None = None
    language: str | None = None
    password: str | None = None
    disabled: bool | None = None


class UserPublic(BaseModel):
    id: int
    email: str
    name: str | None
    role: str
    language: str | None
    created_at: str
    last_login_at: str | None
    disabled_at: str | None


class TokenCreate(BaseModel):
    name: str = Field(min_length=1, description="What the token is for.")
    user_id: int | None = Field(None, description="Admins only: make it for another user.")


class TokenPublic(BaseModel):
    id: int
    user_id: int
    name: str
    prefix: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None


class TokenCreated(TokenPublic):
    token: str  # shown this once
