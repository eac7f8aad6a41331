"""Application rules: eligibility, formats, photos, one live policy per ear tag, premiums,
and the policy state machine."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from mercato.insurance import files, states
from mercato.insurance import service as insurance_service
from mercato.insurance.schemas import ApplicationIn
from mercato.kit.errors import Conflict, ValidationFailed
from mercato.models.insurance import Policy, PolicyPhoto, PolicyPlan
from tests.insurance.support import application, apply, make_plan, photo_uploads


async def test_an_application_is_pending_with_clean_values_and_stored_photos(
    db, ins_runtime, customer
):
    plan = await make_plan(db)
    policy = await apply(db, ins_runtime, customer, plan, ear_tag=" in-2745 0193 ")
    assert (policy.status, policy.payment_status) == ("PENDING", "PENDING")
    assert policy.ear_tag == "IN-27450193"
    assert policy.owner_phone == "+919876543210"
    assert policy.policy_number is None  # assigned at approval
    assert (policy.premium_minor, policy.coverage_minor) == (2_000_00, 50_000_00)
    photos = list(await db.scalars(select(PolicyPhoto).where(PolicyPhoto.policy_id == policy.id)))
    assert len(photos) == 2
    for photo in photos:
        assert photo.storage_key.startswith(f"private/policies/{policy.id}/")
        assert (await files.private_storage(ins_runtime).read(photo.storage_key))[:4] in (
            b"\x89PNG",
            b"\xff\xd8\xff\xe0",
        )


@pytest.mark.parametrize(
    ("cattle", "field"),
    [({"age": 1}, "cattle.age"), ({"age": 11}, "cattle.age"), ({"type": "buffalo"}, "cattle.type")],
)
async def test_the_plan_decides_age_and_cattle_type(db, ins_runtime, customer, cattle, field):
    plan = await make_plan(db, cattle_type="cow", min_age=2, max_age=10)
    with pytest.raises(ValidationFailed) as refused:
        await apply(db, ins_runtime, customer, plan, **cattle)
    assert refused.value.field == field


async def test_a_plan_for_both_takes_buffaloes(db, ins_runtime, customer):
    plan = await make_plan(db, cattle_type="both")
    policy = await apply(db, ins_runtime, customer, plan, type="buffalo", breed="Murrah")
    assert policy.cattle_type == "buffalo"


async def test_one_live_policy_per_ear_tag(db, ins_runtime, customer, make_user):
    plan = await make_plan(db)
    first = await apply(db, ins_runtime, customer, plan, ear_tag="IN-0001-0001")
    other = await make_user("neighbour@example.in")
    with pytest.raises(ValidationFailed) as refused:
        await apply(db, ins_runtime, other, plan, ear_tag="in-0001-0001")
    assert refused.value.field == "cattle.ear_tag"
    # Once the first is no longer live (cancelled before paying), the tag is free again
    await insurance_service.cancel(db, ins_runtime, first, "Changed my mind", refund=False)
    again = await apply(db, ins_runtime, other, plan, ear_tag="IN-0001-0001")
    assert again.status == "PENDING"


async def test_the_database_refuses_a_second_live_policy_for_a_tag(db, ins_runtime, customer):
    # Given a live policy, a row written past the service's check still cannot exist
    plan = await make_plan(db)
    first = await apply(db, ins_runtime, customer, plan, ear_tag="IN-0002-0002")
    values = {c.key: getattr(first, c.key) for c in Policy.__table__.columns if c.key != "id"}
    with pytest.raises(IntegrityError):
        async with db.begin_nested():
            db.add(Policy(**values))
            await db.flush()
    # ...while a finished one may share the tag
    values["status"] = "REJECTED"
    async with db.begin_nested():
        db.add(Policy(**values))
        await db.flush()


async def test_the_service_turns_a_lost_race_into_a_field_error(
    db, ins_runtime, customer, monkeypatch
):
    # Given another application for the tag committed after our check ran
    plan = await make_plan(db)
    await apply(db, ins_runtime, customer, plan, ear_tag="IN-0003-0003")

    async def nothing_live(db, tag):
        return None

    monkeypatch.setattr(insurance_service, "live_policy_for_tag", nothing_live)
    with pytest.raises(ValidationFailed) as refused:
        await apply(db, ins_runtime, customer, plan, ear_tag="IN-0003-0003")
    assert refused.value.field == "cattle.ear_tag"


async def test_two_photos_at_least_and_each_an_image(db, ins_runtime, customer):
    plan = await make_plan(db)
    with pytest.raises(ValidationFailed) as refused:
        await apply(db, ins_runtime, customer, plan, photos=1)
    assert refused.value.field == "photos"
    data = ApplicationIn.model_validate(application(plan.id))
    uploads = photo_uploads(2)
    uploads[1] = type(uploads[1])(b"GIF89a not really", "tag.gif")
    with pytest.raises(ValidationFailed) as refused:
        await insurance_service.apply(db, ins_runtime, customer, data, uploads)
    assert refused.value.field == "photos.1"


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("owner", "phone"), "12345"),
        (("owner", "phone"), "+1 415 555 0100"),
        (("owner", "pincode"), "01234"),
        (("owner", "pincode"), "41600"),
        (("owner", "email"), "not-an-email"),
        (("cattle", "ear_tag"), "x"),
        (("cattle", "gender"), "other"),
        (("cattle", "age"), -1),
    ],
)
def test_formats_are_refused_with_their_field_path(path, value):
    data = application(1)
    data[path[0]][path[1]] = value
    with pytest.raises(ValidationError) as refused:
        ApplicationIn.model_validate(data)
    assert refused.value.errors()[0]["loc"][:2] == path


@pytest.mark.parametrize("phone", ["9876543210", "09876543210", "+91-98765-43210", "919876543210"])
def test_indian_phone_numbers_are_normalised(phone):
    data = application(1)
    data["owner"]["phone"] = phone
    assert ApplicationIn.model_validate(data).owner.phone == "+919876543210"


async def test_an_unknown_agent_code_is_refused_and_a_known_one_is_kept(
    db, ins_runtime, customer, monkeypatch
):
    plan = await make_plan(db)

    class Agents:  # a stand-in for mercato.agents.service's lookup
        @staticmethod
        async def agent_by_code(session, code):
            return SimpleNamespace(id=7, user_id=customer.id) if code == "AG1234" else None

    monkeypatch.setattr(insurance_service, "agents_service", lambda: Agents)
    data = ApplicationIn.model_validate({**application(plan.id), "agent_code": "zz9"})
    with pytest.raises(ValidationFailed) as refused:
        await insurance_service.apply(db, ins_runtime, customer, data, photo_uploads())
    assert refused.value.field == "agent_code"
    data = ApplicationIn.model_validate({**application(plan.id), "agent_code": " ag1234 "})
    policy = await insurance_service.apply(db, ins_runtime, customer, data, photo_uploads())
    assert (policy.agent_id, policy.agent_code) == (7, "AG1234")


@given(coverage=st.integers(1, 10**11), rate=st.integers(1, 10000))
def test_a_rate_premium_is_the_coverage_share_rounded_half_up_once(coverage, rate):
    plan = PolicyPlan(coverage_minor=coverage, premium_rate_bp=rate, premium_minor=None)
    premium = insurance_service.premium_of(plan)
    # half-up in integers: floor((coverage * rate * 2 + 10000) / 20000)
    assert premium == (coverage * rate * 2 + 10000) // 20000


@pytest.mark.parametrize(
    ("start", "months", "end"),
    [
        (date(2026, 1, 1), 12, date(2026, 12, 31)),
        (date(2026, 1, 31), 1, date(2026, 2, 27)),
        (date(2026, 11, 30), 6, date(2027, 5, 29)),
    ],
)
def test_a_policy_period_ends_the_day_before_the_anniversary(start, months, end):
    assert insurance_service.add_months(start, months) == end


def test_the_state_machine_allows_only_its_moves():
    policy = Policy(status="PENDING")
    with pytest.raises(Conflict):
        states.move_policy(policy, "APPROVED")  # not paid, not reviewed
    states.move_policy(policy, "PENDING_APPROVAL")
    states.move_policy(policy, "APPROVED")
    with pytest.raises(Conflict):
        states.move_policy(policy, "PENDING")
    states.move_policy(policy, "EXPIRED")
    for target in ("APPROVED", "CANCELLED", "PENDING_APPROVAL"):
        with pytest.raises(Conflict):
            states.move_policy(policy, target)


async def test_an_unpaid_policy_cannot_be_approved(db, ins_runtime, customer, admin):
    plan = await make_plan(db)
    policy = await apply(db, ins_runtime, customer, plan)
    with pytest.raises(Conflict):
        await insurance_service.approve(db, ins_runtime, admin, policy.id)
