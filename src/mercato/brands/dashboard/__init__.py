"""The brand dashboard under /brand: a brand user edits the brand's profile, logo and press,
its collections and lookbooks, and its products with their size runs and pictures.

Which brand: the user's first brand, or ``?brand=<id>`` (GET) / ``brand_id`` (POST) for
someone who manages several. Every lookup goes through ``service.managed_brand`` and the
brand-scoped service functions, so a user of another brand gets 404 for anything here.
Changes are audited. The navigation links /brand/inquiries and /brand/inbox, which the
inquiries and conversations modules serve.

By concern: ``common`` (brand, frame, refusals, audit), ``profile`` (overview, profile,
logo, press), ``collections`` (collections, lookbooks), ``products`` and ``product_form``.
"""

from fastapi import APIRouter

from mercato.brands.dashboard import collections, products, profile

router = APIRouter()  # each part carries the /brand prefix
for part in (profile, collections, products):
    router.include_router(part.router)
