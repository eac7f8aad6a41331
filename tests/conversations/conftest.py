from tests.inquiries.factories import (  # noqa: F401 - fixtures
    make_brand,
    make_buyer,
    make_product,
    make_user,
    qala,
    qdb,
    qroles,
)
