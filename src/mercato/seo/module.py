"""The SEO module, for any store: richer structured data on product pages (brand, rating,
promoted offer). Slugs without diacritics come from ``mercato.seo.text.slugify``; canonical
URLs, meta tags, sitemap.xml (which modules extend with ``Module.sitemap``) and robots.txt
are served by the site and catalogue modules."""

from mercato.platform.modules import Module
from mercato.seo import structured

seo_module = Module(
    name="seo",
    title="Search engine optimisation",
    requires=("catalog",),
    product_page=structured.product_page,
)
