"""Cattle insurance (seed 001): plans, policy applications paid through Razorpay or the
sandbox, underwriting by admins, certificates, renewals and claims. Reusable by any store
that enables the ``insurance`` module; the ``agents`` module adds agent codes and
commissions when enabled."""
