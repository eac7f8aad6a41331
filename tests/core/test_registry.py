"""Store and module registries (DESIGN.md §3)."""

from pathlib import Path

import httpx
import pytest
from tests.core.support import one_store_app

from mercato.platform.modules import Module, ModuleError, ModuleRegistry
from mercato.platform.stores import StoreConfigError, discover_stores, load_store


def test_every_shipped_store_loads_with_its_locale_and_currency():
    stores = {s.slug: s for s in discover_stores(Path(__file__).parents[2] / "stores")}
    expected = {
        "atelier-arome": ("en", "USD"),
        "wholesale": ("en-BD", "BDT"),
        "qala": ("en", "USD"),
        "cattle-insurance": ("en-IN", "INR"),
        "audio-tai-loc": ("vi-VN", "VND"),
    }
    assert {slug: (s.locale, s.currency) for slug, s in stores.items()} == expected
    assert stores["atelier-arome"].display_currencies == ["EUR", "GBP"]


def test_a_store_whose_slug_differs_from_its_folder_is_refused(tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "store.toml").write_text('slug = "other"\nname = "Shop"\n')
    with pytest.raises(StoreConfigError, match="differs from folder"):
        load_store(folder)


def test_a_bad_theme_colour_is_refused_with_the_file_named(tmp_path):
    folder = tmp_path / "shop"
    folder.mkdir()
    (folder / "store.toml").write_text('name = "Shop"\n[theme]\nprimary = "red"\n')
    with pytest.raises(StoreConfigError, match="store.toml"):
        load_store(folder)


def test_modules_resolve_dependencies_first_and_refuse_unknown_or_cyclic():
    reg = ModuleRegistry()
    reg.register(Module(name="base", core=True))
    reg.register(Module(name="catalog", requires=("base",)))
    reg.register(Module(name="cart", requires=("catalog",)))
    assert [m.name for m in reg.resolve(["cart"])] == ["base", "catalog", "cart"]
    with pytest.raises(ModuleError, match="unknown module 'nope'"):
        reg.resolve(["nope"])
    reg.register(Module(name="a", requires=("b",)))
    reg.register(Module(name="b", requires=("a",)))
    with pytest.raises(ModuleError, match="cycle"):
        reg.resolve(["a"])
    with pytest.raises(ModuleError, match="twice"):
        reg.register(Module(name="cart"))


async def test_a_disabled_modules_urls_are_404(tmp_path):
    # Given a store that does not enable the notifications module
    app = await one_store_app(tmp_path, "plain", "Plain", [])
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        # Then its home works but the notifications page and API do not exist
        assert (await client.get("/plain/")).status_code == 200
        assert (await client.get("/plain/notifications")).status_code == 404
        assert (await client.get("/plain/api/v1/notifications")).status_code == 404
    for runtime in app.state.runtimes.values():
        await runtime.db.dispose()


def test_serve_refuses_the_default_secret_outside_development(monkeypatch):
    from typer.testing import CliRunner

    from mercato.cli import app as cli
    from mercato.config import get_settings

    monkeypatch.setenv("MERCATO_ENV", "production")
    monkeypatch.delenv("MERCATO_SECRET_KEY", raising=False)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "MERCATO_SECRET_KEY" in result.output
