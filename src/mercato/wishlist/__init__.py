"""Saved products for signed-in customers."""
