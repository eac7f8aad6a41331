"""Mercato: one commerce engine, many stores."""
