"""The store's home page; each store's issue replaces its content through its theme."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from mercato.web.templating import render

router = APIRouter()


@router.get("/", response_class=HTMLResponse)
async def home(request: Request) -> HTMLResponse:
    return render(request, "site/home.html")
