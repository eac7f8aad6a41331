"""Jinja2 environments: store theme → module templates → base templates (DESIGN.md §3)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from babel.dates import format_date, format_datetime
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PrefixLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from mercato.kit.i18n import current_locale
from mercato.kit.money import babel_locale, format_money
from mercato.web import i18n
from mercato.web.flash import FLASH_COOKIE, pop_flash

if TYPE_CHECKING:
    from mercato.platform.runtime import StoreRuntime

BASE_TEMPLATES = Path(__file__).parent / "templates"


def build_environment(runtime: StoreRuntime) -> Environment:
    dirs: list[str] = []
    theme_dir = runtime.config.theme_dir
    if theme_dir and (theme_dir / "templates").is_dir():
        dirs.append(str(theme_dir / "templates"))
    core = runtime.modules.template_dirs() + [str(BASE_TEMPLATES)]
    dirs += core
    # "core/<name>" is a template without the store's theme, so a theme's page can extend the
    # module's page and override only its blocks ({% extends "core/catalog/product.html" %}).
    without_theme = PrefixLoader({"core": ChoiceLoader([FileSystemLoader(d) for d in core])})
    env = Environment(
        loader=ChoiceLoader([*(FileSystemLoader(d) for d in dirs), without_theme]),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=runtime.settings.is_development,
    )
    # Gettext reads the request's language (web/i18n.py); English is the source text.
    i18n.install(env, runtime.config)
    locale = runtime.config.locale
    tz = runtime.config.timezone
    env.globals.update(store=runtime.config, runtime=runtime, path=runtime.path)
    # Numbers and dates follow the language being rendered ("12.500.000 ₫" in Vietnamese,
    # "₫12,500,000" in English); the time zone is always the store's.
    env.filters["money"] = lambda amount, currency=None: format_money(
        int(amount), currency or runtime.config.currency, current_locale(locale)
    )
    env.filters["datetime"] = lambda value, fmt="medium": (
        format_datetime(value, fmt, tzinfo=tz, locale=babel_locale(current_locale(locale)))
        if value
        else ""
    )
    env.filters["date_full"] = lambda value: _date_full(value, current_locale(locale))
    return env


def _date_full(value: Any, locale: str) -> str:
    """A day written out ("Monday 07 December 2026"; "Thứ Hai, 7 tháng 12, 2026" in vi)."""
    if not value:
        return ""
    # English keeps the wording the stores have always shown; others use CLDR's full form.
    pattern = "EEEE dd MMMM y" if locale.split("-")[0] == "en" else "full"
    return format_date(value, pattern, locale=babel_locale(locale))


def add_template_context(request: Request, **values: Any) -> None:
    """Make variables available to every template this request renders (page dependencies
    use it, so base.html can show store-wide things without each route knowing them)."""
    context = getattr(request.state, "template_context", None)
    if context is None:
        context = request.state.template_context = {}
    context.update(values)


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
) -> HTMLResponse:
    runtime: StoreRuntime = request.state.runtime
    assert runtime.templates is not None
    ctx = {"request": request, "current_user": getattr(request.state, "user", None)}
    ctx["csrf_token"] = getattr(request.state, "csrf_token", "")
    ctx["admin_nav"] = runtime.modules.admin_nav()
    ctx["flash"] = pop_flash(request)
    if len(i18n.store_languages(runtime.config)) > 1:
        ctx["language_links"] = i18n.switch_links(request)
    # Variables every page needs from async work done earlier (Module.page_dependencies).
    ctx.update(getattr(request.state, "template_context", {}))
    ctx.update(context or {})
    html = runtime.templates.get_template(template).render(ctx)
    response = HTMLResponse(html, status_code=status_code)
    if ctx["flash"]:
        response.delete_cookie(FLASH_COOKIE, path=runtime.path(""))
    return response
