"""Inquiries: buyers ask sellers (brands) about products, brands quote, buyers decide."""
