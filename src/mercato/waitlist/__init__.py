"""Notify me when a product returns."""
