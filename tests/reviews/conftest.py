from tests.customers.factories import make_product, make_user, roles  # noqa: F401
