"""The newsletter module: double opt-in newsletter."""

from mercato.platform.modules import Module

newsletter_module = Module(
    name="newsletter",
    title="Newsletter",

)
