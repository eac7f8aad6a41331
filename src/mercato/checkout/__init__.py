"""From cart to a placed order."""
