"""Request-scoped dependencies shared by every module."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from mercato.platform.runtime import StoreRuntime
from mercato.web.middleware import UnitOfWork


async def get_runtime(request: Request) -> StoreRuntime:
    return request.state.runtime


async def get_uow(request: Request) -> UnitOfWork:
    return request.state.uow


async def get_db(request: Request) -> AsyncSession:
    """The request's session; committed by the store middleware, never by a service."""
    return request.state.uow.session


Runtime = Annotated[StoreRuntime, Depends(get_runtime)]
Db = Annotated[AsyncSession, Depends(get_db)]
Uow = Annotated[UnitOfWork, Depends(get_uow)]
