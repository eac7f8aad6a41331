"""Guest and customer carts."""
