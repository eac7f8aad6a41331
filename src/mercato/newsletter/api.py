"""Newsletter subscription in the JSON API: no sign-in needed, same answer for every
address (202), double opt-in by email like the form."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from mercato.newsletter import service
from mercato.newsletter.pages import THANKS, check_rate
from mercato.web.deps import Db, Runtime

router = APIRouter(prefix="/newsletter", tags=["newsletter"])


class SubscribeIn(BaseModel):
    email: str = Field(max_length=254)
    name: str = Field("", max_length=120)
    preferences: list[str] = Field(
        default_factory=list,
        description=f"Topics among {sorted(service.TOPICS)}; none means all.",
        max_length=10,
    )


class AcceptedOut(BaseModel):
    detail: str


@router.post(
    "",
    status_code=202,
    response_model=AcceptedOut,
    responses={429: {"description": "Too many requests; see Retry-After."}},
)
async def subscribe(body: SubscribeIn, request: Request, db: Db, runtime: Runtime) -> AcceptedOut:
    """Ask for a subscription; a confirmation link is emailed. Nothing counts until then."""
    await check_rate(request, runtime, body.email)
    await service.subscribe(
        db, runtime, email=body.email, name=body.name, source="api", preferences=body.preferences
    )
    return AcceptedOut(detail=THANKS)
