"""The reviews module: product reviews with moderation."""

from mercato.platform.modules import Module

reviews_module = Module(
    name="reviews",
    title="Reviews",
    requires=("catalog", "orders",),
)
