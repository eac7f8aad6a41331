"""The wholesale home explains wholesale and prompts verification; sign-in tells an
unverified buyer where prices are."""

from __future__ import annotations

from tests.b2b.conftest import ROOT, signin


async def test_home_invites_visitors_and_prompts_unverified_buyers(client, make_user, make_company):
    anonymous = await client.get(f"{ROOT}/")
    assert anonymous.status_code == 200
    assert "Open a business account" in anonymous.text
    assert "How wholesale works here" in anonymous.text

    buyer = await make_user("pending-h@example.com", "buyer")
    await make_company(buyer, "pending", "Akter Fashion House")
    await signin(client, "pending-h@example.com")
    page = await client.get(f"{ROOT}/")
    assert "Verify your business to see prices" in page.text
    assert "with our reviewers" in page.text


async def test_home_for_a_verified_buyer_opens_the_catalogue(client, make_user, make_company):
    buyer = await make_user("verified-h@example.com", "buyer")
    await make_company(buyer, "verified")
    await signin(client, "verified-h@example.com")
    page = await client.get(f"{ROOT}/")
    assert "Browse the catalogue" in page.text
    assert "Verify your business to see prices" not in page.text


async def test_signing_in_unverified_says_where_prices_are(client, make_user):
    await make_user("new-h@example.com", "buyer")
    from tests.b2b.conftest import PASSWORD
    from tests.helpers import csrf_from

    url = f"{ROOT}/account/signin"
    token = await csrf_from(client, url)
    response = await client.post(
        url,
        data={"csrf_token": token, "email": "new-h@example.com", "password": PASSWORD},
        follow_redirects=True,
    )
    assert "Verify your business to see wholesale prices" in response.text


async def test_the_seller_area_links_its_pages(client, make_user, make_seller, make_company):
    """Each seller page (and the home page) carries the seller area's navigation to the
    others; a buyer has no seller area."""
    import re

    seller = await make_user("seller-nav@example.com", "seller")
    await make_seller(seller)
    await signin(client, "seller-nav@example.com")
    pages = {
        "seller/products": "Your products",
        "seller/reports/profit": "Your profit",
        "seller/inventory": "Your inventory",
    }
    for path, label in pages.items():
        page = await client.get(f"{ROOT}/{path}")
        assert page.status_code == 200, path
        nav = re.search(r'<nav class="seller-nav".*?</nav>', page.text, re.S)
        assert nav, path
        for other in pages:
            assert f'href="{ROOT}/{other}"' in nav.group(0), (path, other)
        assert re.search(rf'href="{ROOT}/{path}" aria-current="page">{label}<', nav.group(0))
    home = await client.get(f"{ROOT}/")
    assert 'class="seller-nav"' in home.text

    client.cookies.clear()
    buyer = await make_user("buyer-nav@example.com", "buyer")
    await make_company(buyer, "verified")
    await signin(client, "buyer-nav@example.com")
    assert 'class="seller-nav"' not in (await client.get(f"{ROOT}/")).text
