"""Vietnamese pages, form errors and emails of the core modules at Audio Tài Lộc."""

from __future__ import annotations

from sqlalchemy import select

from mercato.models import EmailMessage

VI = "/audio-tai-loc"


async def _csrf(client, path: str) -> str:
    page = await client.get(path)
    marker = 'name="csrf_token" value="'
    return page.text.split(marker, 1)[1].split('"', 1)[0]


async def test_home_in_vietnamese_and_english(client):
    vi = await client.get(f"{VI}/")
    assert ">Đăng nhập<" in vi.text and ">Sản phẩm<" in vi.text
    en = await client.get(f"{VI}/?lang=en")
    assert ">Sign in<" in en.text and ">Products<" in en.text
    assert ">Đăng nhập<" not in en.text


async def test_sign_in_errors_are_vietnamese(client):
    token = await _csrf(client, f"{VI}/account/signin")
    answer = await client.post(
        f"{VI}/account/signin",
        data={"csrf_token": token, "email": "khach@audio-tai-loc.test", "password": "sai-mat-khau"},
    )
    assert answer.status_code == 422
    assert "Email hoặc mật khẩu không đúng." in answer.text


async def test_sign_up_field_errors_are_vietnamese(client):
    token = await _csrf(client, f"{VI}/account/signup")
    answer = await client.post(
        f"{VI}/account/signup", data={"csrf_token": token, "email": "", "password": "x"}
    )
    assert answer.status_code == 422
    assert "Vui lòng nhập địa chỉ email." in answer.text


async def test_verification_email_is_written_in_the_shoppers_language(client, app):
    token = await _csrf(client, f"{VI}/account/signup")
    answer = await client.post(
        f"{VI}/account/signup",
        data={
            "csrf_token": token,
            "name": "Lê Văn Tâm",
            "email": "tam@example.vn",
            "password": "Loa-Tram-Karaoke-Song-Ca-9",
        },
    )
    assert answer.status_code == 303
    assert "Chào mừng bạn!" in (await client.get(answer.headers["location"])).text
    runtime = app.state.runtimes["audio-tai-loc"]
    async with runtime.db.session(write=False) as db:
        mail = await db.scalar(
            select(EmailMessage).where(EmailMessage.to_address == "tam@example.vn")
        )
    assert mail is not None
    assert mail.subject == "Xác nhận email của bạn tại Audio Tài Lộc"
    assert "Xin chào Lê Văn Tâm," in mail.text_body and "Xin chào Lê Văn Tâm," in mail.html_body


async def _vi_product(app, *, stock: int = 3, price: int = 12_500_000):
    from tests.cart.support import make_product

    runtime = app.state.runtimes["audio-tai-loc"]
    async with runtime.db.session(write=True) as db:
        product = await make_product(db, stock=stock, price=price, name="Loa Tài Lộc K1")
        await db.commit()
    return product


async def test_cart_in_vietnamese_with_prices_in_dong(client, app):
    product = await _vi_product(app)
    token = await _csrf(client, f"{VI}/account/signin")
    added = await client.post(
        f"{VI}/cart/items",
        data={"csrf_token": token, "product_id": str(product.id), "quantity": "2"},
        headers={"accept": "application/json"},
    )
    assert added.status_code == 200, added.text
    assert added.json()["message"] == "Đã thêm Loa Tài Lộc K1 vào giỏ hàng (2)."
    cart = await client.get(f"{VI}/cart")
    assert "Giỏ hàng của bạn" in cart.text and "Thanh toán" in cart.text
    assert "Tạm tính (2 sản phẩm)" in cart.text
    assert "25.000.000\xa0₫" in cart.text and "12.500.000\xa0₫ / sản phẩm" in cart.text
    english = await client.get(f"{VI}/cart?lang=en")
    assert "Subtotal (2 items)" in english.text and "₫25,000,000" in english.text


async def test_stock_refusal_is_vietnamese(client, app):
    product = await _vi_product(app, stock=1)
    token = await _csrf(client, f"{VI}/account/signin")
    refused = await client.post(
        f"{VI}/cart/items",
        data={"csrf_token": token, "product_id": str(product.id), "quantity": "3"},
        headers={"accept": "application/json"},
    )
    assert refused.status_code == 409
    assert "Loa Tài Lộc K1 chỉ còn 1 sản phẩm." in refused.text
