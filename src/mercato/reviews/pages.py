"""Storefront review forms: write a review and vote "helpful" (signed-in customers).

Both answer with a redirect back to the product page (no JavaScript needed); a review that
needs correcting comes back with the message and the text kept."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response

from mercato.identity.deps import CurrentUser
from mercato.kit.errors import DomainError
from mercato.reviews import service
from mercato.reviews.deps import reviews_enabled
from mercato.web.deps import Db, Runtime
from mercato.web.flash import flash

router = APIRouter(dependencies=[Depends(reviews_enabled)])
PRODUCT_PATH = "essences/{slug}"


def _back(runtime, slug: str, anchor: str = "reviews") -> RedirectResponse:
    return RedirectResponse(
        runtime.path(PRODUCT_PATH.format(slug=quote(slug))) + f"#{anchor}", status_code=303
    )


@router.post("/reviews/product/{product_id:int}")
async def write_review(
    request: Request, product_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    product = await service.product_by_id(db, product_id)
    form = await request.form()
    try:
        await service.submit(
            db,
            user,
            product.id,
            rating=form.get("rating") or "",
            title=str(form.get("title") or ""),
            body=str(form.get("body") or ""),
        )
    except DomainError as exc:
        response = _back(runtime, product.slug, "review-form")
        flash(request, response, exc.message, "error")
        return response
    response = _back(runtime, product.slug)
    flash(request, response, "Thank you. Your review will appear once our atelier has read it.")
    return response


@router.post("/reviews/{review_id:int}/helpful")
async def helpful(
    request: Request, review_id: int, user: CurrentUser, db: Db, runtime: Runtime
) -> Response:
    try:
        review = await service.vote_helpful(db, user.id, review_id)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        review = await db.get(service.Review, review_id)
        product = await db.get(service.Product, review.product_id) if review else None
        response = _back(runtime, product.slug if product else "", f"review-{review_id}")
        flash(request, response, exc.message, "warning")
        return response
    product = await db.get(service.Product, review.product_id)
    response = _back(runtime, product.slug, f"review-{review.id}")
    flash(request, response, "Thank you for your vote.")
    return response
