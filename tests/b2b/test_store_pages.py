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
