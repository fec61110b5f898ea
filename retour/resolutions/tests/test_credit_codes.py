"""Store credit that is worth something: a code per credit issued, redeemed or voided by the shop,
lapsing at the policy's expiry unless it stands in for a statutory refund."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from conftest import order_payload
from retour.notifications.models import Notification
from retour.resolutions.credit import credit_codes_expire_due, normalize_code
from retour.resolutions.models import StoreCreditAccount, StoreCreditCode, StoreCreditEntry
from retour.resolutions.selectors import return_credit_codes

pytestmark = pytest.mark.django_db


def _credited_return(api, number="1001", reason="changed_mind", expiry_months=0, business=False):
    api.put(
        "/api/v1/policy",
        {
            "refund_trigger": "on_approval",
            "store_credit_bonus_percent": "10",
            "store_credit_expiry_months": expiry_months,
        },
    )
    order = api.post("/api/v1/orders", order_payload(number, is_business=business)).json()
    rn = api.post(
        "/api/v1/returns",
        {
            "order_number": number,
            "resolution": "store_credit",
            "lines": [{"line_id": order["lines"][0]["id"], "quantity": 1, "reason": reason}],
        },
    ).json()["number"]
    assert api.post(f"/api/v1/returns/{rn}/approve", {}).status_code == 200  # credited at the trigger
    return rn


def _balance(store):
    return StoreCreditAccount.objects.get(store=store).balance


def test_credit_issued_has_a_code_and_the_customer_is_told_it_as_credit(api, store):
    rn = _credited_return(api, business=True)
    code = StoreCreditCode.objects.get()
    assert code.code.startswith("RC-") and len(code.code) == 17
    assert code.amount == Decimal("22.00") and code.balance == Decimal("22.00")  # 20.00 + 10 % bonus
    assert code.expires_at is None
    assert [c.code for c in return_credit_codes(return_request=code.refund.return_request)] == [code.code]
    kinds = list(Notification.objects.filter(return_request__number=rn).values_list("kind", flat=True))
    assert "credit_issued" in kinds and "refund_issued" not in kinds
    from retour.notifications.render import notification_render

    email = notification_render(Notification.objects.get(kind="credit_issued"))
    assert code.code in email.text and "avoir" in email.text and "22,00" in email.text  # French customer
    assert "pas d'un remboursement" in email.text


def test_the_shop_redeems_in_parts_and_never_more_than_the_balance(api, store):
    _credited_return(api, business=True)
    code = StoreCreditCode.objects.get().code
    detail = api.get(f"/api/v1/store-credit/{code.lower().replace('-', '')}")
    assert detail.status_code == 200 and detail.json()["balance"] == "22.00"
    spent = api.post(f"/api/v1/store-credit/{code}/redeem", {"amount": "15.00", "reference": "WEB-77"})
    assert spent.status_code == 200 and spent.json()["balance"] == "7.00"
    too_much = api.post(f"/api/v1/store-credit/{code}/redeem", {"amount": "7.01"})
    assert too_much.status_code == 422 and too_much.json()["code"] == "insufficient_credit"
    last = api.post(f"/api/v1/store-credit/{code}/redeem", {"amount": "7.00"})
    assert last.json()["status"] == "spent" and last.json()["balance"] == "0.00"
    assert _balance(store) == Decimal("0")
    kinds = list(StoreCreditEntry.objects.order_by("id").values_list("kind", flat=True))
    assert kinds == ["refund", "bonus", "spend", "spend"]


def test_a_redeem_replayed_with_its_key_spends_once(api, store):
    _credited_return(api, business=True)
    code = StoreCreditCode.objects.get().code
    for _ in range(2):
        answer = api.post(
            f"/api/v1/store-credit/{code}/redeem", {"amount": "5.00"}, headers={"Idempotency-Key": "k1"}
        )
        assert answer.status_code == 200 and answer.json()["balance"] == "17.00"


def test_void_cancels_what_is_left(api, store):
    _credited_return(api, business=True)
    code = StoreCreditCode.objects.get().code
    api.post(f"/api/v1/store-credit/{code}/redeem", {"amount": "2.00"})
    voided = api.post(f"/api/v1/store-credit/{code}/void", {"reason": "refunded by card instead"})
    assert (
        voided.status_code == 200 and voided.json()["status"] == "void" and voided.json()["balance"] == "0.00"
    )
    assert _balance(store) == Decimal("0")
    refused = api.post(f"/api/v1/store-credit/{code}/redeem", {"amount": "1.00"})
    assert refused.status_code == 422 and refused.json()["code"] == "credit_void"


def test_commercial_credit_expires_per_policy_and_the_sweep_lapses_it(api, store):
    _credited_return(api, expiry_months=12, business=True)
    code = StoreCreditCode.objects.get()
    assert code.expires_at is not None and code.expires_at > timezone.now() + timedelta(days=360)
    assert credit_codes_expire_due(now=timezone.now()) == 0
    later = code.expires_at + timedelta(seconds=1)
    refused = api.post(f"/api/v1/store-credit/{code.code}/redeem", {"amount": "1.00"})
    assert refused.status_code == 200  # still valid today
    assert credit_codes_expire_due(now=later) == 1
    code.refresh_from_db()
    assert code.status == "expired" and code.balance == 0 and _balance(store) == Decimal("0")
    gone = api.post(f"/api/v1/store-credit/{code.code}/redeem", {"amount": "1.00"})
    assert gone.status_code == 422 and gone.json()["code"] == "credit_expired"


def test_credit_instead_of_a_statutory_refund_never_expires(api, store):
    rn = _credited_return(api, expiry_months=12)  # a consumer within the withdrawal period
    code = StoreCreditCode.objects.get()
    assert code.refund.return_request.right == "withdrawal", rn
    assert code.expires_at is None


def test_codes_are_scoped_to_the_store_and_need_a_shop_role(
    api, store, api_as, other_api_key, api_key_warehouse
):
    _credited_return(api, business=True)
    code = StoreCreditCode.objects.get().code
    assert api_as(other_api_key).get(f"/api/v1/store-credit/{code}").status_code == 404
    assert (
        api_as(other_api_key).post(f"/api/v1/store-credit/{code}/redeem", {"amount": "1.00"}).status_code
        == 404
    )
    assert api_as(api_key_warehouse).post(f"/api/v1/store-credit/{code}/void", {}).status_code == 403
    assert StoreCreditCode.objects.get().balance == Decimal("22.00")


def test_codes_read_the_same_however_typed():
    assert normalize_code("rc-abcd-efgh-jkmn") == "RC-ABCD-EFGH-JKMN"
    assert normalize_code("ABCDEFGHJKMN") == "RC-ABCD-EFGH-JKMN"
