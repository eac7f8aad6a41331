"""The content module: pages, testimonials and the alchemy steps."""

from mercato.platform.modules import Module

content_module = Module(
    name="content",
    title="Content",

)
