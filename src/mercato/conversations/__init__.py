"""Conversations: one thread per buyer and brand, with live delivery and read receipts."""
