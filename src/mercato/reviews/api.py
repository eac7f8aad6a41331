"""Reviews in the JSON API: read a product's approved reviews; write one with a token."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from mercato.identity.api_deps import Principal
from mercato.kit.errors import PermissionDenied
from mercato.reviews import service
from mercato.reviews.deps import reviews_enabled
from mercato.web.deps import Db

router = APIRouter(tags=["reviews"], dependencies=[Depends(reviews_enabled)])


class ReviewOut(BaseModel):
    id: int
    author_name: str
    rating: int
    title: str
    body: str = Field(description="Plain text; escape it when showing it as HTML.")
    is_verified: bool
    helpful_count: int
    created_at: datetime
    reply: str = Field("", description="The shop's public answer, plain text; empty if none.")


class ReviewListOut(BaseModel):
    average: float | None
    count: int
    items: list[ReviewOut]
    page: int
    pages: int


class ReviewIn(BaseModel):
    rating: int = Field(ge=1, le=5)
    title: str = Field("", max_length=service.TITLE_MAX)
    body: str = Field(min_length=1, max_length=service.BODY_MAX)


class SubmittedOut(BaseModel):
    id: int
    status: str
    is_verified: bool


def _out(review) -> ReviewOut:
    return ReviewOut(
        id=review.id,
        author_name=review.author_name,
        rating=review.rating,
        title=review.title,
        body=review.body,
        is_verified=review.is_verified,
        helpful_count=review.helpful_count,
        created_at=review.created_at,
        reply=review.reply or "",
    )


@router.get("/products/{slug}/reviews", response_model=ReviewListOut)
async def list_reviews(slug: str, db: Db, page: int = Query(1, ge=1, le=10_000)) -> ReviewListOut:
    product = await service.product_by_slug(db, slug)
    summary = await service.summary(db, product.id)
    listing = await service.approved(db, product.id, page, 20)
    return ReviewListOut(
        average=summary.average,
        count=summary.count,
        items=[_out(r) for r in listing.items],
        page=listing.page,
        pages=listing.pages,
    )


@router.post("/products/{slug}/reviews", status_code=201, response_model=SubmittedOut)
async def write_review(slug: str, body: ReviewIn, principal: Principal, db: Db) -> SubmittedOut:
    """Write a review; it is published once staff approve it."""
    if principal.via != "token":
        raise PermissionDenied("Reviews are written with a customer's access token.")
    product = await service.product_by_slug(db, slug)
    review = await service.submit(
        db, principal.user, product.id, rating=body.rating, title=body.title, body=body.body
    )
    return SubmittedOut(id=review.id, status=review.status, is_verified=review.is_verified)
