"""One-step boutique sign-up: account and boutique in one form. Every problem is shown at
once with the input kept (never the password), nothing is written unless everything is
right (no account without its boutique), and the new buyer lands signed in, waiting for
approval, with the reviewers told."""

from __future__ import annotations

from sqlalchemy import func, select

from mercato.brands import access
from mercato.models import Notification, User
from mercato.models.brands import Boutique
from tests.brands.conftest import ROOT
from tests.helpers import csrf_from

GOOD = {
    "name": "Layla Haddad",
    "email": "layla@casa-alma.example",
    "password": "Courtyard-Linen-Harbour-42",
    "boutique_name": "Casa Alma",
    "city": "Dubai",
    "country": "AE",
    "website": "https://casa-alma.example",
    "instagram": "@casa.alma",
}


async def _count(qdb, model) -> int:
    return int(await qdb.scalar(select(func.count()).select_from(model)))


async def test_a_buyer_signs_up_with_the_boutique_and_waits_for_approval(client, qdb, make_user):
    admin = await make_user("reviewer", "admin")
    await qdb.commit()
    token = await csrf_from(client, f"{ROOT}/boutique/signup")
    # When the form is sent complete
    done = await client.post(f"{ROOT}/boutique/signup", data={"csrf_token": token, **GOOD})
    # Then the buyer lands on the boutique page, signed in, waiting for approval
    assert done.status_code == 303, done.text[:500]
    assert done.headers["location"].endswith(f"{ROOT}/boutique")
    page = await client.get(f"{ROOT}/boutique")
    assert page.status_code == 200 and "Waiting for approval" in page.text
    user = await qdb.scalar(select(User).where(User.email == GOOD["email"]))
    boutique = await qdb.scalar(select(Boutique).where(Boutique.user_id == user.id))
    assert (boutique.name, boutique.city, boutique.country) == ("Casa Alma", "Dubai", "AE")
    assert boutique.status == "pending" and boutique.instagram == "casa.alma"
    assert user.name == "Layla Haddad"
    assert not await access.is_approved_buyer(qdb, user.id)
    # And the reviewers hear of it
    told = await qdb.scalar(select(Notification).where(Notification.user_id == admin.id))
    assert told is not None and "Casa Alma" in told.title


async def test_every_problem_is_shown_at_once_and_nothing_is_written(client, qdb):
    users, shops = await _count(qdb, User), await _count(qdb, Boutique)
    token = await csrf_from(client, f"{ROOT}/boutique/signup")
    bad = {
        **GOOD,
        "email": "not-an-address",
        "password": "short",
        "country": "",
        "website": "casa",
    }
    refused = await client.post(f"{ROOT}/boutique/signup", data={"csrf_token": token, **bad})
    assert refused.status_code == 422
    page = refused.text
    # each field's message next to it, the input kept, the password never echoed
    assert page.count('aria-invalid="true"') >= 4
    assert "Choose a country." in page and "https://" in page
    assert 'value="Casa Alma"' in page and 'value="Dubai"' in page
    assert "short" not in page.split('id="password"')[1].split(">")[0]
    assert (await _count(qdb, User), await _count(qdb, Boutique)) == (users, shops)


async def test_a_taken_address_leaves_no_account_and_no_boutique(client, qdb, make_user):
    taken = await make_user("taken", "customer")
    taken.email = "taken@casa-alma.example"
    await qdb.commit()
    users, shops = await _count(qdb, User), await _count(qdb, Boutique)
    token = await csrf_from(client, f"{ROOT}/boutique/signup")
    refused = await client.post(
        f"{ROOT}/boutique/signup", data={"csrf_token": token, **GOOD, "email": taken.email}
    )
    assert refused.status_code == 409
    assert "already exists" in refused.text
    assert (await _count(qdb, User), await _count(qdb, Boutique)) == (users, shops)


async def test_a_failure_after_the_account_is_added_rolls_it_back(client, qdb, monkeypatch):
    # Given the boutique step fails after the account was written in the same transaction
    from mercato.brands import boutiques
    from mercato.kit.errors import ValidationFailed

    async def refuse(*args, **kwargs):
        raise ValidationFailed("Boutique refused.", field="boutique_name")

    monkeypatch.setattr(boutiques, "apply", refuse)
    users = await _count(qdb, User)
    token = await csrf_from(client, f"{ROOT}/boutique/signup")
    refused = await client.post(f"{ROOT}/boutique/signup", data={"csrf_token": token, **GOOD})
    # Then the form says why and the account is gone with it
    assert refused.status_code == 422 and "Boutique refused." in refused.text
    assert await _count(qdb, User) == users
    assert await qdb.scalar(select(User).where(User.email == GOOD["email"])) is None


async def test_a_signed_in_visitor_is_sent_to_the_boutique_page(client, qdb, make_user):
    from tests.brands.conftest import PASSWORD, STORE
    from tests.helpers import signin

    user = await make_user("someone", "customer")
    await qdb.commit()
    await signin(client, STORE, user.email, PASSWORD)
    answer = await client.get(f"{ROOT}/boutique/signup")
    assert answer.status_code == 303 and answer.headers["location"].endswith(f"{ROOT}/boutique")
