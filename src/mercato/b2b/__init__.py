"""Business accounts of the wholesale store: company registration and verification, sellers
and product ownership, and the seed's permission matrix (``mercato.b2b.access``)."""
