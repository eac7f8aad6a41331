"""Address book and customer accounts."""
