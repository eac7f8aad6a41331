"""Double opt-in newsletter."""
