"""Admin pages for pricing (filled in below)."""

from fastapi import APIRouter

router = APIRouter(prefix="/pricing")
