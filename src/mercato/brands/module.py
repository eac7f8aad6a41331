"""The brands module: Qala's designer brands, discovery, boutique approval and brand
dashboard. Other modules ask ``mercato.brands.access`` who is a brand user or an approved
buyer."""

from pathlib import Path

from mercato.brands import access
from mercato.brands.seed import seed_brands
from mercato.platform.modules import Module

brands_module = Module(
    name="brands",
    title="Designer brands",
    requires=("catalog", "notifications"),
    permissions=access.PERMISSIONS,
    default_roles=access.DEFAULT_ROLES,
    template_dir=str(Path(__file__).parent / "templates"),
    seed=seed_brands,
)
