"""GET /api/v1/reasons, GET/PUT /api/v1/policy."""

from __future__ import annotations

import pytest

from retour.policies.models import Policy

pytestmark = pytest.mark.django_db

DEFAULT_POLICY = {
    "window_days": 30,
    "window_starts": "delivery",
    "restocking_fee_percent": "0",
    "return_shipping_fee": "0.00",
    "store_credit_bonus_percent": "0",
    "allowed_resolutions": ["refund", "store_credit", "exchange"],
    "refund_trigger": "on_inspection",
    "auto_approve": False,
    "apply_statutory_rights": True,
    "return_costs_borne_by_customer": True,
}


def _errors(response) -> dict[tuple, str]:
    assert response.status_code == 422, response.content
    return {tuple(e["loc"]): e["code"] for e in response.json()["errors"]}


# Reasons ----------------------------------------------------------------------------------------


def test_reasons_list_the_default_catalogue_in_order(api):
    reasons = api.get("/api/v1/reasons").json()
    assert [r["code"] for r in reasons] == [
        "too_small",
        "too_large",
        "changed_mind",
        "not_as_described",
        "defective",
        "damaged_in_transit",
        "wrong_item",
        "arrived_late",
        "other",
    ]
    faults = {r["code"] for r in reasons if r["seller_fault"]}
    assert faults == {"not_as_described", "defective", "damaged_in_transit", "wrong_item"}
    assert set(reasons[0]) == {"code", "label", "seller_fault", "requires_photo"}


def test_reason_labels_are_in_the_requests_language(api_as, api_key_agent):
    english = api_as(api_key_agent, "en").get("/api/v1/reasons").json()
    french = api_as(api_key_agent, "fr").get("/api/v1/reasons").json()
    assert english[0]["label"] == "Too small"
    assert french[0]["label"] == "Trop petit"


def test_every_role_may_read_reasons_but_not_without_a_key(api_as, api_key_warehouse):
    assert api_as(api_key_warehouse).get("/api/v1/reasons").status_code == 200
    assert api_as(None).get("/api/v1/reasons").status_code == 401


def test_reasons_are_the_stores_own(api, store, other_store):
    from retour.policies.models import ReturnReason

    ReturnReason.objects.filter(store=other_store, code="other").update(active=False)
    assert "other" in [r["code"] for r in api.get("/api/v1/reasons").json()]


# Policy -----------------------------------------------------------------------------------------


def test_a_new_store_has_the_contract_defaults(api):
    body = api.get("/api/v1/policy").json()
    assert {k: body[k] for k in DEFAULT_POLICY} == DEFAULT_POLICY
    assert body["currency"] == "EUR"


def test_every_role_may_read_the_policy(api_as, api_key_agent, api_key_warehouse):
    assert api_as(api_key_agent).get("/api/v1/policy").status_code == 200
    assert api_as(api_key_warehouse).get("/api/v1/policy").status_code == 200


def test_an_admin_may_change_any_subset_of_fields(api):
    response = api.put(
        "/api/v1/policy",
        {
            "window_days": 14,
            "restocking_fee_percent": "10",
            "return_shipping_fee": "4.5",
            "allowed_resolutions": ["refund"],
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert body["window_days"] == 14 and body["restocking_fee_percent"] == "10"
    assert body["return_shipping_fee"] == "4.50" and body["allowed_resolutions"] == ["refund"]
    assert body["refund_trigger"] == "on_inspection"  # untouched
    assert api.get("/api/v1/policy").json() == body


def test_an_empty_put_changes_nothing(api):
    assert api.put("/api/v1/policy", {}).json() == api.get("/api/v1/policy").json()


@pytest.mark.parametrize("key_fixture", ["api_key_agent", "api_key_warehouse"])
def test_only_an_admin_may_change_the_policy(api_as, request, key_fixture):
    response = api_as(request.getfixturevalue(key_fixture)).put("/api/v1/policy", {"window_days": 7})
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert Policy.objects.get().window_days == 30


def test_no_key_may_not_change_the_policy(api_as, store):
    assert api_as(None).put("/api/v1/policy", {"window_days": 7}).status_code == 401


def test_a_key_changes_only_its_own_stores_policy(api_as, other_api_key, store, other_store):
    api_as(other_api_key).put("/api/v1/policy", {"window_days": 60})
    assert Policy.objects.get(store=store).window_days == 30
    assert Policy.objects.get(store=other_store).window_days == 60


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"window_days": -1}, "greater_than_equal"),
        ({"window_starts": "shipping"}, "enum"),
        ({"restocking_fee_percent": "101"}, "less_than_equal"),
        ({"store_credit_bonus_percent": "-5"}, "greater_than_equal"),
        ({"return_shipping_fee": "free"}, "decimal_parsing"),
        ({"allowed_resolutions": []}, "too_short"),
        ({"refund_trigger": "never"}, "enum"),
        ({"auto_approve": "perhaps"}, "bool_parsing"),
        ({"colour": "blue"}, "extra_forbidden"),
        ({"window_days": None}, "null_not_allowed"),
    ],
)
def test_a_bad_value_is_refused_field_by_field_and_nothing_changes(api, change, code):
    response = api.put("/api/v1/policy", {"auto_approve": True, **change})
    field = next(iter(change))
    assert _errors(response) == {(field,): code}
    assert Policy.objects.get().auto_approve is False


def test_an_allowed_resolution_that_does_not_exist_is_refused(api):
    response = api.put("/api/v1/policy", {"allowed_resolutions": ["refund", "voucher"]})
    assert _errors(response) == {("allowed_resolutions", 1): "enum"}
