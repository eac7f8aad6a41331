"""The blog module: posts with categories and tags, installation projects, and the home
banners and sections managed in the admin."""

from __future__ import annotations

from pathlib import Path

from mercato.blog import admin, api, assets, pages
from mercato.kit.i18n import N_
from mercato.platform.modules import Module, NavItem, lazy_seed

blog_module = Module(
    name="blog",
    title="Blog, projects and home sections",
    pages=[pages.router, assets.router],
    api=[api.router],
    admin=[admin.router],
    permissions={"content.blog": "Write blog posts and manage the home banners and sections"},
    default_roles={"staff": ["content.blog"], "admin": ["*"]},
    admin_nav=[
        NavItem(N_("Blog"), "blog", "content.blog", order=60),
        NavItem(N_("Home page"), "site-sections", "content.blog", order=61),
        NavItem(N_("Projects"), "projects", "content.blog", order=62),
    ],
    home_page=pages.home_features,
    template_dir=str(Path(__file__).parent / "templates"),
    seed=lazy_seed("mercato.blog.seed", "seed_blog"),
)
