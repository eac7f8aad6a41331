"""The waitlist module: notify me when a product returns."""

from mercato.platform.modules import Module

waitlist_module = Module(
    name="waitlist",
    title="Waiting lists",
    requires=("catalog", "inventory",),
)
