"""The wholesale store's cart and checkout: tier prices on every unit of a line, MOQ and case
pack refused on adding and flagged in the cart with a one-click fix, prices withheld from
unverified buyers, and concurrent wholesale orders that never oversell."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from mercato.cart import service as cart_service
from mercato.checkout import service as checkout_service
from mercato.checkout.service import CheckoutDetails
from mercato.inventory import repository as inventory_repo
from mercato.kit.errors import Conflict, PermissionDenied
from mercato.models.commerce import CartItem, ShippingRate, ShippingZone
from mercato.models.orders import Order, OrderLine
from mercato.wholesale.service import QuantityRefused
from tests.helpers import csrf_in
from tests.inventory.test_concurrency import database  # noqa: F401 - the fixture
from tests.wholesale.conftest import ROOT, signin

ADDRESS = {
    "first_name": "Tanvir",
    "last_name": "Hossain",
    "line1": "House 12, Road 5, Tejgaon I/A",
    "city": "Dhaka",
    "region": "",
    "postal_code": "1208",
    "country": "BD",
}


async def _rate(db) -> int:
    zone = ShippingZone(name="Bangladesh (test)", countries=["BD"], position=1)
    db.add(zone)
    await db.flush()
    rate = ShippingRate(zone_id=zone.id, name="Covered van", kind="flat", amount=0)
    db.add(rate)
    await db.flush()
    return rate.id


async def test_line_prices_follow_the_tier_the_quantity_reaches(
    wdb, wholesale, make_buyer, make_product
):
    # Given a verified buyer and the seed's tiers
    buyer = await make_buyer()
    product = await make_product()
    cart, _ = await cart_service.open_cart(wdb, user_id=buyer.id)
    # When they put 100 units in the cart (beyond the core's 99 per line)
    await cart_service.add_item(wdb, cart, product.id, 100, runtime=wholesale)
    view = await cart_service.view(wdb, cart, runtime=wholesale)
    # Then every unit costs ৳135 and the line says why
    (line,) = view.lines
    assert (line.unit_price, line.line_total, view.subtotal) == (13500, 1_350_000, 1_350_000)
    assert "every unit" in line.note and not line.problem
    # and the boundaries move the price for the whole line
    for quantity, unit in ((10, 14500), (49, 14500), (50, 13500), (199, 13500), (200, 12000)):
        await cart_service.set_quantity(wdb, cart, product.id, quantity, runtime=wholesale)
        (line,) = (await cart_service.view(wdb, cart, runtime=wholesale)).lines
        assert (line.quantity, line.unit_price, line.problem) == (quantity, unit, "")


async def test_below_moq_is_refused_on_adding_and_flagged_with_a_fix(
    wdb, wholesale, make_buyer, make_product
):
    buyer = await make_buyer()
    product = await make_product(moq=24, multiple=12, tiers=())
    cart, _ = await cart_service.open_cart(wdb, user_id=buyer.id)
    # Adding 5 units is refused with the nearest orderable quantity
    try:
        await cart_service.add_item(wdb, cart, product.id, 5, runtime=wholesale)
    except QuantityRefused as exc:
        assert exc.code == "below_moq" and exc.fix_quantity == 24
        assert "minimum order" in exc.message and "24" in exc.message
    else:
        raise AssertionError("5 units below a MOQ of 24 were accepted")
    # Lowering a line below the MOQ is allowed but blocks checkout, with a one-click fix
    await cart_service.add_item(wdb, cart, product.id, 36, runtime=wholesale)
    await cart_service.set_quantity(wdb, cart, product.id, 30, runtime=wholesale)
    view = await cart_service.view(wdb, cart, runtime=wholesale)
    (line,) = view.lines
    assert "cases of 12" in line.problem and line.fix_quantity == 36
    rate = await _rate(wdb)
    try:
        await checkout_service.place_order(
            wdb, wholesale, cart, CheckoutDetails("", ADDRESS, rate), user=buyer
        )
    except Conflict as exc:
        assert "cases of 12" in exc.message
    else:
        raise AssertionError("a line of 30 in cases of 12 was ordered")


async def test_unverified_buyers_neither_add_nor_see_prices(
    wdb, wholesale, make_buyer, make_product
):
    pending = await make_buyer("pending@example.com", status="pending")
    product = await make_product()
    cart, _ = await cart_service.open_cart(wdb, user_id=pending.id)
    try:
        await cart_service.add_item(wdb, cart, product.id, 100, runtime=wholesale)
    except PermissionDenied as exc:
        assert exc.code == "verify_business"
    else:
        raise AssertionError("an unverified buyer added to the cart")
    # A line that got there anyway (verified before, rejected since) shows no price
    wdb.add(CartItem(cart_id=cart.id, product_id=product.id, quantity=100))
    await wdb.flush()
    view = await cart_service.view(wdb, cart, runtime=wholesale)
    assert view.prices_hidden and view.lines[0].price_hidden
    assert "Verify your business" in view.problems[0]
    # and nothing computed from the view tells the price
    assert (view.lines[0].unit_price, view.subtotal) == (0, 0)


async def test_atelier_carts_are_untouched_by_the_wholesale_rules(db, runtime):
    # The Atelier store does not run the module: no rules, the core's 99 per line.
    assert cart_service.rules_of(runtime) == []
    assert cart_service.line_limit(runtime) == 99


async def test_cart_page_offers_the_one_click_fix(client, wdb, wholesale, make_buyer, make_product):
    buyer = await make_buyer("page@example.com")
    product = await make_product(name="Mustard Oil", moq=24, multiple=12, tiers=())
    cart, _ = await cart_service.open_cart(wdb, user_id=buyer.id)
    wdb.add(CartItem(cart_id=cart.id, product_id=product.id, quantity=30))
    await wdb.flush()
    await signin(client, "page@example.com")
    page = await client.get(f"{ROOT}/cart")
    assert page.status_code == 200
    assert "Mustard Oil is sold in cases of 12" in page.text
    assert "Change to 36" in page.text
    # The fix is a plain form posting the quantity: one click and the line is right
    response = await client.post(
        f"{ROOT}/cart/items/{product.id}",
        data={"csrf_token": csrf_in(page.text), "quantity": "36"},
    )
    assert response.status_code == 303
    view = await cart_service.view(wdb, cart, runtime=wholesale)
    assert (view.lines[0].quantity, view.problems) == (36, [])


async def test_checkout_orders_at_the_tier_price(wdb, wholesale, make_buyer, make_product):
    buyer = await make_buyer("order@example.com")
    product = await make_product()
    rate = await _rate(wdb)
    cart, _ = await cart_service.open_cart(wdb, user_id=buyer.id)
    await cart_service.add_item(wdb, cart, product.id, 100, runtime=wholesale)
    placed = await checkout_service.place_order(
        wdb, wholesale, cart, CheckoutDetails("", ADDRESS, rate), user=buyer
    )
    line = await wdb.scalar(select(OrderLine).where(OrderLine.order_id == placed.order.id))
    assert (line.quantity, line.unit_price, line.line_total) == (100, 13500, 1_350_000)
    assert placed.order.subtotal == 1_350_000 and placed.order.currency == "BDT"


async def test_concurrent_wholesale_orders_never_oversell(database, app, wholesale):  # noqa: F811
    # Given 250 units and five verified buyers with 100 units each in their carts
    from mercato.b2b import service as b2b_service
    from mercato.inventory import service as inventory_service
    from mercato.kit.security import FieldCipher
    from mercato.models import Product
    from mercato.platform.seeding import ensure_user, sync_roles
    from mercato.wholesale import service as wholesale_service
    from tests.wholesale.conftest import SEED_TIERS

    buyers = []
    async with database.transaction() as session:
        roles = await sync_roles(session, wholesale.modules)
        rate = await _rate(session)
        product = Product(name="Jute Sack", slug="race-jute-sack", sku="RACE-1", price=14500)
        session.add(product)
        await session.flush()
        await inventory_service.create_inventory(session, product.id, quantity=250)
        await wholesale_service.save_terms(
            session, product, wholesale_service.TermsIn(price=14500, moq=10, tiers=SEED_TIERS)
        )
        for i in range(5):
            user, _ = await ensure_user(
                session, roles, email=f"race{i}@example.com", password="x" * 16,
                name="Race", role_names=["buyer"],
            )  # fmt: skip
            company = await b2b_service.register(
                session,
                user,
                b2b_service.CompanyIn(
                    name=f"Race Traders {i}",
                    contact_name="Race",
                    contact_phone="+8801711000000",
                    contact_email=f"race{i}@example.com",
                    address_line="Motijheel C/A",
                    city="Dhaka",
                    tin="123456789012",
                    trade_license_number=f"TL-{i}",
                ),  # fmt: skip
                FieldCipher(wholesale.secret),
            )
            company.status = "verified"
            cart, _ = await cart_service.open_cart(session, user_id=user.id)
            session.add(CartItem(cart_id=cart.id, product_id=product.id, quantity=100))
            buyers.append(user.id)
        product_id = product.id

    async def checkout(user_id: int) -> str:
        try:
            async with database.transaction(write=True) as session:
                from mercato.models import User

                user = await session.get(User, user_id)
                cart = await cart_service.find_cart(session, user_id=user_id)
                await checkout_service.place_order(
                    session, wholesale, cart, CheckoutDetails("", ADDRESS, rate), user=user
                )
        except Conflict as exc:
            assert "Jute Sack" in exc.message
            return "out of stock"
        return "placed"

    # When they all place their orders at once, each on its own connection
    outcomes = await asyncio.wait_for(asyncio.gather(*(checkout(u) for u in buyers)), timeout=120)
    # Then two orders of 100 are placed, three are refused, 50 units remain
    assert sorted(outcomes) == ["out of stock"] * 3 + ["placed"] * 2
    async with database.transaction(write=False) as session:
        inventory = await inventory_repo.get_inventory(session, product_id)
        assert (inventory.quantity, inventory.reserved, inventory.available) == (250, 200, 50)
        assert await session.scalar(select(func.count()).select_from(Order)) == 2


async def test_a_rejected_buyers_cart_tells_no_price_through_the_api(
    client, wdb, make_buyer, make_product
):
    from mercato.b2b import access
    from tests.wholesale.conftest import token

    buyer = await make_buyer("was-ok@example.com")
    product = await make_product()
    cart, _ = await cart_service.open_cart(wdb, user_id=buyer.id)
    wdb.add(CartItem(cart_id=cart.id, product_id=product.id, quantity=100))
    company = await access.buyer_company(wdb, buyer)
    company.status, company.reason = "rejected", "Licence expired."
    await wdb.flush()
    headers = await token(client, "was-ok@example.com")
    got = await client.get(f"{ROOT}/api/v1/cart", headers=headers)
    assert got.status_code == 200
    body = got.json()
    assert body["subtotal"] == 0 and body["items"][0]["price_hidden"] is True
    assert "13500" not in got.text and "14500" not in got.text
    quote = await client.post(
        f"{ROOT}/api/v1/checkout/quote", json={"country": "BD"}, headers=headers
    )
    assert "13500" not in quote.text and "14500" not in quote.text
