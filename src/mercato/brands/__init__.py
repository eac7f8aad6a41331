"""Qala's designer brands and discovery: brands as seller accounts, collections and lookbooks,
press features, fashion product details, boutique (buyer) approval, the brand dashboard,
discovery pages, the 2D try-on and the JSON API under /api/v1/."""
