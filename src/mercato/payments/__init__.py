"""Payment providers and their webhooks."""
