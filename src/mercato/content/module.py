"""The content module: pages, testimonials and the alchemy steps."""

from pathlib import Path

from mercato.content import admin, pages
from mercato.platform.modules import Module, NavItem, lazy_seed

content_module = Module(
    name="content",
    title="Content",
    pages=[pages.router],
    admin=[admin.router],
    page_dependencies=[pages.load_footer_pages],
    permissions={
        "content.read": "See pages, testimonials and the alchemy steps",
        "content.write": "Write pages, testimonials and the alchemy steps",
    },
    default_roles={"staff": ["content.read", "content.write"], "admin": ["*"]},
    admin_nav=[NavItem("Content", "content", "content.read", order=60)],
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.content.seed", "seed_content"),
)
