"""Orders, their states, emails and invoices."""
