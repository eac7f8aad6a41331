"""The storefront shell: home page (store themes override its template)."""

from pathlib import Path

from mercato.platform.modules import Module
from mercato.site import pages

site_module = Module(
    name="site",
    title="Storefront",
    core=True,
    pages=[pages.router],
    template_dir=str(Path(__file__).parent / "templates"),
)
