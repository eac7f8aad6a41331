"""SEO: slugs, meta tags, sitemap.xml, robots.txt and structured data for any store."""
