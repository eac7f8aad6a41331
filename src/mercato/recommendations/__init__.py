"""Recommendations computed from order history and product specifications."""
