"""Stock on hand, reservations and the movement ledger (DESIGN.md §4 "No oversell")."""
