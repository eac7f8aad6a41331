"""Account rules shared by the web pages, the JSON API and the admin (DESIGN.md §5).

Services flush and never commit: the request's unit of work owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.identity import sessions, tokens
from mercato.kit.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mercato.kit.i18n import N_, _
from mercato.kit.security import (
    hash_password,
    hash_token,
    new_token,
    password_needs_rehash,
    password_problems,
    verify_password,
)
from mercato.kit.time import utcnow
from mercato.models import EmailToken, Role, User, UserRole
from mercato.platform import email as email_service
from mercato.platform.runtime import StoreRuntime

CUSTOMER_ROLE = "customer"
VERIFY_EMAIL = "verify_email"
RESET_PASSWORD = "reset_password"  # noqa: S105 - a token purpose, not a secret
VERIFY_TTL = timedelta(hours=48)
RESET_TTL = timedelta(hours=1)
WRONG_CREDENTIALS = N_("The email or password is not right.")
BLOCKED = N_("This account is blocked.")


class AccountBlocked(PermissionDenied):
    """Sign-in refused because an admin blocked the account."""


# ---------------------------------------------------------------- validation


def normalize_email(raw: str) -> str:
    """A syntactically valid address, lower-cased (users.email is stored lower-cased)."""
    value = (raw or "").strip()
    if not value:
        raise ValidationFailed(_("Enter your email address."), field="email", code="required")
    try:
        # No DNS lookups: sign-up must not depend on the network being up.
        checked = validate_email(value, check_deliverability=False)
    except EmailNotValidError as exc:
        raise ValidationFailed(str(exc), field="email", code="invalid_email") from None
    return checked.normalized.lower()


def check_password(password: str, *, hints: Iterable[str] = (), field: str = "password") -> None:
    """Refuse a weak password, giving the reasons a person can act on."""
    problems = password_problems(password or "", [h for h in hints if h])
    if problems:
        raise ValidationFailed(" ".join(problems), field=field, code="weak_password")


async def find_user_by_email(db: AsyncSession, email: str) -> User | None:
    return await db.scalar(
        select(User).where(User.email == email.strip().lower(), User.deleted_at.is_(None))
    )


# ---------------------------------------------------------------- sign up / sign in


async def register_user(
    db: AsyncSession, runtime: StoreRuntime, *, email: str, password: str, name: str
) -> User:
    """Create a customer account and queue its verification email."""
    email = normalize_email(email)
    name = (name or "").strip()[:120]
    check_password(password, hints=[email, email.split("@")[0], name])
    if await db.scalar(select(func.count()).select_from(User).where(User.email == email)):
        raise Conflict(
            _("An account with this email already exists. Sign in or reset your password."),
            field="email",
            code="email_taken",
        )
    user = User(email=email, name=name, password_hash=hash_password(password))
    db.add(user)
    await db.flush()
    await assign_roles(db, user, [CUSTOMER_ROLE], create_missing=True, replace=False)
    await send_verification_email(db, runtime, user)
    return user


async def authenticate(db: AsyncSession, email: str, password: str) -> User:
    """The active user with these credentials, or raise; costs the same for unknown emails."""
    user = await db.scalar(select(User).where(User.email == (email or "").strip().lower()))
    ok = verify_password(user.password_hash if user else None, password or "")
    if user is None or not ok or user.deleted_at is not None:
        raise ValidationFailed(_(WRONG_CREDENTIALS), field="password", code="invalid_credentials")
    if user.blocked_at is not None:
        raise AccountBlocked(_(BLOCKED), code="blocked")
    if user.password_hash and password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
        await db.flush()
    return user


# ---------------------------------------------------------------- email tokens


async def _issue_email_token(
    db: AsyncSession, user: User, purpose: str, ttl: timedelta, note: str = ""
) -> str:
    # An earlier unused link of the same purpose stops working: only the newest is valid.
    await db.execute(
        delete(EmailToken).where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
        )
    )
    raw = new_token()
    now = utcnow()
    db.add(
        EmailToken(
            user_id=user.id,
            purpose=purpose,
            token_hash=hash_token(raw),
            created_at=now,
            expires_at=now + ttl,
            note=note,
        )
    )
    await db.flush()
    return raw


async def _consume_email_token(db: AsyncSession, raw: str, purpose: str) -> User | None:
    """Mark the token used (once, even under concurrency) and return its active user."""
    if not raw or len(raw) > 100:
        return None
    now = utcnow()
    token = await db.scalar(
        select(EmailToken).where(
            EmailToken.token_hash == hash_token(raw),
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > now,
        )
    )
    if token is None:
        return None
    claimed = await db.execute(
        update(EmailToken)
        .where(EmailToken.id == token.id, EmailToken.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if not claimed.rowcount:
        return None
    user = await db.get(User, token.user_id)
    if user is None or not user.is_active:
        return None
    return user


async def _send_link(
    db: AsyncSession,
    runtime: StoreRuntime,
    user: User,
    *,
    purpose: str,
    ttl: timedelta,
    path: str,
    subject: str,
    note: str = "",
) -> None:
    """Issue a single-use token for ``purpose`` and email the link that carries it."""
    raw = await _issue_email_token(db, user, purpose, ttl, note=note)
    await email_service.queue_email(
        db,
        runtime,
        to=user.email,
        subject=subject,
        template=f"emails/{purpose}",
        context={
            "user": user,
            "link": runtime.absolute_url(f"{path}?token={raw}"),
            "hours": int(ttl.total_seconds() // 3600),
            "minutes": int(ttl.total_seconds() // 60),
        },
    )


async def send_verification_email(db: AsyncSession, runtime: StoreRuntime, user: User) -> None:
    await _send_link(
        db,
        runtime,
        user,
        purpose=VERIFY_EMAIL,
        ttl=VERIFY_TTL,
        path="account/verify",
        subject=_("Confirm your email for %(store)s", store=runtime.config.name),
        note=user.email,
    )


async def verify_email(db: AsyncSession, raw: str) -> User:
    user = await _consume_email_token(db, raw, VERIFY_EMAIL)
    if user is None:
        raise ValidationFailed(
            _("This confirmation link is not valid any more. Sign in and ask for a new one."),
            field="token",
            code="invalid_token",
        )
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        await db.flush()
    return user


async def request_password_reset(db: AsyncSession, runtime: StoreRuntime, email: str) -> None:
    """Send a reset link if the account exists; the caller answers the same either way."""
    user = await find_user_by_email(db, email)
    if user is None or user.blocked_at is not None:
        return
    await _send_link(
        db,
        runtime,
        user,
        purpose=RESET_PASSWORD,
        ttl=RESET_TTL,
        path="account/reset",
        subject=_("Reset your %(store)s password", store=runtime.config.name),
    )


async def reset_token_is_valid(db: AsyncSession, raw: str) -> bool:
    if not raw or len(raw) > 100:
        return False
    found = await db.scalar(
        select(EmailToken.id).where(
            EmailToken.token_hash == hash_token(raw),
            EmailToken.purpose == RESET_PASSWORD,
            EmailToken.used_at.is_(None),
            EmailToken.expires_at > utcnow(),
        )
    )
    return found is not None


async def reset_password(db: AsyncSession, raw: str, new_password: str) -> User:
    """Set a new password from a reset link; every session and API token of the user ends."""
    if not await reset_token_is_valid(db, raw):
        raise ValidationFailed(
            _("This reset link has expired or was already used. Ask for a new one."),
            field="token",
            code="invalid_token",
        )
    # Check strength before spending the single-use token, so a weak choice can be retried.
    pending = await db.scalar(
        select(User)
        .join(EmailToken, EmailToken.user_id == User.id)
        .where(EmailToken.token_hash == hash_token(raw))
    )
    assert pending is not None
    check_password(new_password, hints=[pending.email, pending.name])
    user = await _consume_email_token(db, raw, RESET_PASSWORD)
    if user is None:
        raise ValidationFailed(
            _("This reset link has expired or was already used. Ask for a new one."),
            field="token",
            code="invalid_token",
        )
    user.password_hash = hash_password(new_password)
    # Proof of the mailbox: a reset also confirms the address.
    user.email_verified_at = user.email_verified_at or utcnow()
    await end_all_access(db, user.id)
    await db.flush()
    return user


async def change_password(
    db: AsyncSession, user: User, *, current: str, new: str, keep_session_id: int | None
) -> None:
    """Change the password; every other browser and API token is signed out."""
    if not verify_password(user.password_hash, current or ""):
        raise ValidationFailed(
            _("Your current password is not right."),
            field="current_password",
            code="wrong_password",
        )
    check_password(new, hints=[user.email, user.name], field="new_password")
    if verify_password(user.password_hash, new):
        raise ValidationFailed(
            _("Choose a password different from the current one."),
            field="new_password",
            code="same_password",
        )
    user.password_hash = hash_password(new)
    await sessions.revoke_all_sessions(db, user.id, except_id=keep_session_id)
    await tokens.revoke_user_families(db, user.id)
    await db.flush()


async def update_profile(db: AsyncSession, user: User, *, name: str, phone: str) -> User:
    name = (name or "").strip()
    phone = (phone or "").strip()
    if len(name) > 120:
        raise ValidationFailed(_("Use at most 120 characters."), field="name")
    allowed = set("0123456789+-() .")
    if phone and (
        len(phone) > 32 or not set(phone) <= allowed or sum(c.isdigit() for c in phone) < 6
    ):
        raise ValidationFailed(
            _("Enter a phone number with digits, spaces, +, - or brackets."), field="phone"
        )
    user.name = name
    user.phone = phone
    await db.flush()
    return user


# ---------------------------------------------------------------- access, blocking, roles


async def end_all_access(db: AsyncSession, user_id: int) -> None:
    """Sign the user out of every browser and revoke every API token family."""
    await sessions.revoke_all_sessions(db, user_id)
    await tokens.revoke_user_families(db, user_id)


async def block_user(db: AsyncSession, user: User, *, reason: str) -> User:
    """Block sign-in and end every session and API token family now."""
    user.blocked_at = user.blocked_at or utcnow()
    user.blocked_reason = (reason or "").strip()[:500]
    await end_all_access(db, user.id)
    await db.flush()
    return user


async def unblock_user(db: AsyncSession, user: User) -> User:
    user.blocked_at = None
    user.blocked_reason = ""
    await db.flush()
    return user


async def role_names_of(db: AsyncSession, user_id: int) -> list[str]:
    rows = await db.scalars(
        select(Role.name)
        .join(UserRole, UserRole.role_id == Role.id)
        .where(UserRole.user_id == user_id)
        .order_by(Role.name)
    )
    return list(rows)


async def assign_roles(
    db: AsyncSession,
    user: User,
    role_names: Iterable[str],
    *,
    create_missing: bool = False,
    replace: bool = True,
) -> list[str]:
    """Give ``user`` exactly these roles (or add them when ``replace`` is False).

    Unknown role names are refused unless ``create_missing`` (used for the built-in
    "customer" role when a store has not been seeded yet).
    """
    wanted = sorted({n.strip() for n in role_names if n and n.strip()})
    roles = {r.name: r for r in await db.scalars(select(Role).where(Role.name.in_(wanted)))}
    for name in wanted:
        if name not in roles:
            if not create_missing:
                raise NotFound(f"There is no role named {name!r}.", field="roles")
            role = Role(name=name, permissions=[], is_staff=False)
            db.add(role)
            roles[name] = role
    await db.flush()
    held = set(await db.scalars(select(UserRole.role_id).where(UserRole.user_id == user.id)))
    wanted_ids = {r.id for r in roles.values()}
    for role_id in wanted_ids - held:
        db.add(UserRole(user_id=user.id, role_id=role_id))
    if replace and held - wanted_ids:
        await db.execute(
            delete(UserRole).where(
                UserRole.user_id == user.id, UserRole.role_id.in_(held - wanted_ids)
            )
        )
    await db.flush()
    return await role_names_of(db, user.id)
