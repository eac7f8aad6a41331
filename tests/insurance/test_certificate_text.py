"""A policy certificate prints the owner's name as written, marks included: it draws with
kit/pdf's Unicode font (a core-font certificate refused names outside Windows-1252)."""

from __future__ import annotations

import io
from datetime import date
from types import SimpleNamespace

from pypdf import PdfReader

from mercato.insurance.certificate import render_pdf


def test_certificate_keeps_names_outside_windows_1252():
    runtime = SimpleNamespace(config=SimpleNamespace(name="Gau Raksha", contact_email=""))
    plan = SimpleNamespace(name="Gir Premium", features=["Death cover"])
    policy = SimpleNamespace(
        policy_number="GR-2026-000042",
        owner_name="Rāmeśvar Ṭhākur",
        owner_phone="9800000000",
        owner_address="Gaushala Road",
        owner_city="Ānand",
        owner_state="GJ",
        owner_pincode="388001",
        cattle_type="cow",
        breed="Gir",
        gender="female",
        age=4,
        ear_tag="EAR-9",
        coverage_minor=5_000_000,
        premium_minor=150_000,
        start_date=date(2026, 11, 1),
        end_date=date(2027, 11, 1),
        disease_waiting_days=30,
        agent_code="",
        status="APPROVED",
    )
    data = render_pdf(runtime, policy, plan)
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Rāmeśvar Ṭhākur" in text
    assert "GR-2026-000042" in text
