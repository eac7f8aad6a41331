from tests.profit.conftest import (  # noqa: F401 - shared fixtures
    admin,
    buyer,
    make_order,
    make_product,
    make_user,
    other_seller,
    seller,
    seller_user,
    wdb,
    wholesale,
    wroles,
)
