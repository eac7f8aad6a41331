"""Demo data and first administrators. Idempotent: running it again keeps existing rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from mercato import modules as _modules  # noqa: F401 - registers the built-in modules
from mercato.config import Settings
from mercato.db import Database
from mercato.kit.security import hash_password, password_problems
from mercato.kit.time import utcnow
from mercato.models import Role, User, UserRole
from mercato.platform.files import LocalStorage
from mercato.platform.modules import EnabledModules, registry
from mercato.platform.stores import StoreConfig


@dataclass
class SeedContext:
    """What a module's seeder gets: the store, its seed folder, its file storage (for
    generated images) and the demo users by e-mail address."""

    config: StoreConfig
    settings: Settings
    seed_dir: Path
    storage: LocalStorage
    users: dict[str, User] = field(default_factory=dict)


STAFF_ROLES = {"staff", "admin"}


async def sync_roles(db: AsyncSession, modules: EnabledModules) -> dict[str, Role]:
    """Create the modules' default roles; add new default permissions to existing ones.

    Permissions an admin granted by hand are kept: defaults are only ever added.
    """
    existing = {r.name: r for r in await db.scalars(select(Role))}
    for name, perms in modules.default_roles().items():
        role = existing.get(name)
        if role is None:
            role = Role(name=name, permissions=sorted(perms), is_staff=name in STAFF_ROLES)
            db.add(role)
            existing[name] = role
        elif not perms <= set(role.permissions):
            role.permissions = sorted(set(role.permissions) | perms)
    await db.flush()
    return existing


async def ensure_user(
    db: AsyncSession,
    roles: dict[str, Role],
    *,
    email: str,
    password: str,
    name: str,
    role_names: list[str],
) -> tuple[User, bool]:
    email = email.strip().lower()
    user = await db.scalar(select(User).where(User.email == email))
    created = user is None
    if user is None:
        user = User(
            email=email,
            name=name,
            password_hash=hash_password(password),
            email_verified_at=utcnow(),
        )
        db.add(user)
        await db.flush()
    held = set(await db.scalars(select(UserRole.role_id).where(UserRole.user_id == user.id)))
    for role_name in role_names:
        role = roles[role_name]
        if role.id not in held:
            db.add(UserRole(user_id=user.id, role_id=role.id))
    await db.flush()
    return user, created


async def seed_store(config: StoreConfig, settings: Settings) -> str:
    modules = EnabledModules(registry.resolve(config.modules))
    database = Database(settings.database_url_for(config.slug), pool=False)
    try:
        async with database.transaction() as db:
            roles = await sync_roles(db, modules)
            ctx = SeedContext(
                config=config,
                settings=settings,
                seed_dir=config.seed_dir or Path("."),
                storage=LocalStorage(
                    settings.uploads_dir / config.slug, url_prefix=f"/{config.slug}/files"
                ),
            )
            created = 0
            for demo in config.demo_users:
                user, new = await ensure_user(
                    db,
                    roles,
                    email=demo.email,
                    password=demo.password,
                    name=demo.name,
                    role_names=demo.roles,
                )
                ctx.users[user.email] = user
                created += new
            summaries = [f"{len(roles)} roles, {created} new demo users"]
            for module in modules.modules:
                if module.seed is not None:
                    summaries.append(f"{module.name}: {await module.seed(db, ctx)}")
    finally:
        await database.dispose()
    return "; ".join(summaries)


async def create_admin(
    config: StoreConfig, settings: Settings, *, email: str, password: str, name: str
) -> None:
    problems = password_problems(password, [email, name])
    if problems:
        raise ValueError("Password too weak: " + " ".join(problems))
    modules = EnabledModules(registry.resolve(config.modules))
    database = Database(settings.database_url_for(config.slug), pool=False)
    try:
        async with database.transaction() as db:
            roles = await sync_roles(db, modules)
            await ensure_user(
                db, roles, email=email, password=password, name=name, role_names=["admin"]
            )
    finally:
        await database.dispose()
