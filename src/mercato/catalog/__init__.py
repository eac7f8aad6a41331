"""Catalogue: categories, tags, products, images and typed attributes."""
