"""The audio shop's search in the JSON API: the same service and cache as the page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from mercato.audio import search
from mercato.audio.pages import read_query
from mercato.catalog.api import ProductSummaryOut, _card_out
from mercato.kit.i18n import translate
from mercato.web.deps import Db, Runtime

router = APIRouter(tags=["search"])


class FacetValueOut(BaseModel):
    value: str
    label: str
    count: int


class FacetOut(BaseModel):
    code: str
    label: str
    values: list[FacetValueOut]


class SearchOut(BaseModel):
    items: list[ProductSummaryOut]
    total: int
    page: int
    pages: int
    facets: list[FacetOut]
    categories: list[FacetValueOut]
    typo_fallback: bool


@router.get("/search", response_model=SearchOut)
async def search_products(request: Request, db: Db, runtime: Runtime) -> SearchOut:
    """Diacritics-insensitive product search ("loa", "tai loc") with filters by category
    (`danh-muc`), `brand`, `connectivity`, `channels`, price (`gia-tu`, `gia-den`, whole
    đồng), `sort` and `page`; facet counts leave out each facet's own filter."""
    query = read_query(request.query_params, runtime.config.currency)
    result = await search.search(db, runtime, query)
    cards = await search.cards(db, result.product_ids)
    return SearchOut(
        items=[_card_out(runtime, c) for c in cards],
        total=result.total,
        page=result.page,
        pages=result.pages,
        facets=[
            FacetOut(
                code=f.code,
                label=translate(f.label),
                values=[
                    FacetValueOut(value=v, label=translate(s), count=n) for v, s, n in f.values
                ],
            )
            for f in result.facets
        ],
        categories=[FacetValueOut(value=s, label=n, count=c) for s, n, c in result.categories],
        typo_fallback=result.typo_fallback,
    )
