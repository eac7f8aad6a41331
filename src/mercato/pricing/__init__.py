"""Currencies, shipping zones and rates, tax rules."""
