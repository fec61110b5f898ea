"""``/api/v1/legal/…``: the contract's shapes, the request's language, problem+json for bad input."""

from __future__ import annotations

import pytest

pytest.importorskip("pytest_django")

from django.test import Client  # noqa: E402

pytestmark = pytest.mark.django_db

BASE = "/api/v1/legal"


@pytest.fixture
def client_for(api_key_admin):
    def get(path: str, params: dict[str, str], language: str = "en", key: str | None = api_key_admin):
        headers = {"HTTP_ACCEPT_LANGUAGE": language}
        if key:
            headers["HTTP_AUTHORIZATION"] = f"Bearer {key}"
        return Client().get(f"{BASE}{path}", params, **headers)

    return get


def test_withdrawal_contract_example(client_for):
    response = client_for(
        "/withdrawal",
        {
            "country": "FR",
            "subdivision": "",
            "postal_code": "",
            "delivered_on": "2026-07-03",
            "informed": "true",
            "informed_on": "",
        },
    )
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("applies", "days", "ends_on", "rolled_forward")} == {
        "applies": True,
        "days": 14,
        "ends_on": "2026-07-17",
        "rolled_forward": False,
    }
    assert "Friday 17 July 2026" in body["explanation"]


def test_withdrawal_explanation_in_french(client_for):
    response = client_for(
        "/withdrawal", {"country": "FR", "delivered_on": "2026-04-17"}, language="fr-FR,fr;q=0.9"
    )
    body = response.json()
    assert (body["ends_on"], body["rolled_forward"]) == ("2026-05-04", True)
    assert "lundi 4 mai 2026" in body["explanation"]


def test_withdrawal_region_from_postal_code(client_for):
    body = client_for(
        "/withdrawal", {"country": "FR", "postal_code": "57000", "delivered_on": "2026-03-20"}
    ).json()
    assert (body["ends_on"], body["subdivision"]) == ("2026-04-07", "57")


def test_withdrawal_not_informed(client_for):
    body = client_for(
        "/withdrawal", {"country": "FR", "delivered_on": "2026-03-02", "informed": "false"}
    ).json()
    assert body["ends_on"] == "2027-03-16"


def test_withdrawal_without_a_statutory_right(client_for):
    body = client_for("/withdrawal", {"country": "US", "delivered_on": "2026-07-03"}).json()
    assert (body["applies"], body["days"], body["ends_on"]) == (False, None, None)


def test_refund_due(client_for):
    response = client_for(
        "/refund-due",
        {
            "country": "FR",
            "notice_received_on": "2026-07-10",
            "proof_of_dispatch_on": "2026-07-29",
            "goods_received_on": "2026-08-03",
        },
    )
    assert response.status_code == 200
    assert response.json()["due_on"] == "2026-07-29"
    waiting = client_for(
        "/refund-due", {"country": "FR", "notice_received_on": "2026-07-10", "proof_of_dispatch_on": ""}
    ).json()
    assert (waiting["due_on"], waiting["waiting_for_goods"]) == ("2026-07-24", True)


def test_guarantee(client_for):
    body = client_for("/guarantee", {"country": "ES", "delivered_on": "2026-03-15", "used": "false"}).json()
    assert (body["guarantee_ends_on"], body["presumption_ends_on"]) == ("2029-03-15", "2028-03-15")


def test_late_refund_money_and_rate_are_decimal_strings(client_for):
    body = client_for(
        "/late-refund", {"country": "FR", "due_on": "2026-07-24", "paid_on": "2026-08-04", "amount": "104.90"}
    ).json()
    assert (body["days_late"], body["surcharge_rate"], body["surcharge_amount"]) == (11, "0.05", "5.25")


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/withdrawal", {"country": "FRA", "delivered_on": "2026-07-03"}, "country"),
        ("/withdrawal", {"country": "FR", "delivered_on": "2026-13-03"}, "delivered_on"),
        ("/withdrawal", {"country": "FR", "delivered_on": "2026-07-03", "informed": "maybe"}, "informed"),
        ("/withdrawal", {"country": "DE", "delivered_on": "2026-07-03", "subdivision": "XX"}, "subdivision"),
        ("/refund-due", {"country": "FR", "notice_received_on": "tomorrow"}, "notice_received_on"),
        ("/guarantee", {"country": "FR", "delivered_on": "2026-07-03", "used": "perhaps"}, "used"),
        (
            "/late-refund",
            {"country": "FR", "due_on": "2026-07-24", "paid_on": "2026-08-04", "amount": "-1"},
            "amount",
        ),
        (
            "/late-refund",
            {"country": "FR", "due_on": "2026-07-24", "paid_on": "2026-08-04", "amount": "1e3"},
            "amount",
        ),
    ],
)
def test_bad_parameters_are_a_validation_error(client_for, path, params, field):
    response = client_for(path, params)
    assert response.status_code == 422
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["code"] == "validation_error"
    assert ["query", field] in [error["loc"] for error in body["errors"]]


def test_missing_parameter_is_a_validation_error(client_for):
    response = client_for("/withdrawal", {"country": "FR"})
    assert response.status_code == 422
    assert response.json()["code"] == "validation_error"


def test_a_key_is_required(client_for):
    response = client_for("/withdrawal", {"country": "FR", "delivered_on": "2026-07-03"}, key=None)
    assert response.status_code == 401


def test_every_role_may_use_the_calculator(client_for, api_key_agent, api_key_warehouse):
    for key in (api_key_agent, api_key_warehouse):
        assert (
            client_for("/guarantee", {"country": "FR", "delivered_on": "2026-07-03"}, key=key).status_code
            == 200
        )


def test_openapi_documents_the_four_endpoints(client_for, api_key_admin):
    schema = Client().get("/api/v1/openapi.json", HTTP_AUTHORIZATION=f"Bearer {api_key_admin}").json()
    for path in ("withdrawal", "refund-due", "guarantee", "late-refund"):
        assert f"{BASE}/{path}" in schema["paths"]


def test_bad_parameters_are_explained_in_the_callers_language(api_key_admin):
    from django.test import Client

    response = Client().get(
        "/api/v1/legal/withdrawal",
        {"country": "XX", "delivered_on": "3 July"},
        HTTP_AUTHORIZATION=f"Bearer {api_key_admin}",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["code"], body["detail"]) == ("validation_error", "Certains paramètres ne sont pas valides.")
    messages = {tuple(e["loc"]): (e["code"], e["message"]) for e in body["errors"]}
    assert messages[("query", "delivered_on")] == ("invalid_date", "Donnez une date au format AAAA-MM-JJ.")
    assert messages[("query", "country")][0] == "invalid_country"
    assert messages[("query", "country")][1].startswith("Utilisez un code pays ISO 3166-1")
