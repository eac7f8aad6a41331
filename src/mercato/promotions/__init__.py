"""Promotions: catalogue promotions and order vouchers."""
