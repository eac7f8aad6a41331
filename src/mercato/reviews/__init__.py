"""Product reviews with moderation."""
