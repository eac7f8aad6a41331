"""Pages, testimonials and the alchemy steps."""
