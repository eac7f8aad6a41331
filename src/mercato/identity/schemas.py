"""JSON shapes of the auth API (Pydantic v2)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class RegisterIn(BaseModel):
    email: str = Field(max_length=254, examples=["ada@example.com"])
    password: str = Field(max_length=200)
    name: str = Field(default="", max_length=120)


class TokenIn(BaseModel):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)


class RefreshIn(BaseModel):
    refresh_token: str = Field(max_length=200)


class ProfileIn(BaseModel):
    name: str = Field(default="", max_length=200)
    phone: str = Field(default="", max_length=64)


class ChangePasswordIn(BaseModel):
    current_password: str = Field(max_length=200)
    new_password: str = Field(max_length=200)


class ForgotPasswordIn(BaseModel):
    email: str = Field(max_length=254)


class ResetPasswordIn(BaseModel):
    password: str = Field(max_length=200)


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"  # noqa: S105 - the OAuth token type
    expires_in: int = Field(description="Seconds until the access token expires.")
    refresh_token: str


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    name: str
    phone: str
    email_verified: bool
    created_at: datetime


class MeOut(UserOut):
    roles: list[str]
    permissions: list[str]
    via: str = Field(description='"token" for a bearer access token, "api_key" for an API key.')


def user_out(user) -> dict:
    return {
        "id": user.id,
        "email": user.email,
        "name": user.name,
        "phone": user.phone,
        "email_verified": user.email_verified_at is not None,
        "created_at": user.created_at,
    }
