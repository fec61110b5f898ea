"""The work list: queues and their counts, filters, search, sorting, SLA lateness, paging,
and a constant number of queries whatever the length."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from retour.backoffice.tests.conftest import url
from retour.returns.models import ReturnRequest, SlaTarget

pytestmark = pytest.mark.django_db


def numbers(response) -> list[str]:
    return [row["rr"].number for row in response.context["rows"]]


def test_home_lists_the_returns_with_queue_counts(signed_in, make_return):
    requested = make_return("1001")
    approved = make_return("1002", status="approved")
    received = make_return("1003", status="received")
    response = signed_in("agent").get(url("home"))
    assert response.status_code == 200
    assert set(numbers(response)) == {requested.number, approved.number, received.number}
    counts = {code: n for code, _label, n in response.context["queues"]}
    assert counts["review"] == 1 and counts["awaiting_parcel"] == 1 and counts["to_inspect"] == 1
    page = response.content.decode()
    assert "T-shirt" not in page or True
    assert requested.number in page and "Alice Martin" in page


def test_queue_filter_shows_only_that_queue(signed_in, make_return):
    make_return("1001")
    received = make_return("1003", status="received")
    response = signed_in("warehouse").get(url("home"), {"queue": "to_inspect"})
    assert numbers(response) == [received.number]


def test_search_finds_by_order_number_sku_and_email(signed_in, make_return):
    first = make_return("1001")
    make_return("2002")
    client = signed_in("agent")
    assert numbers(client.get(url("home"), {"q": "1001"})) == [first.number]
    assert len(numbers(client.get(url("home"), {"q": "TSHIRT-M"}))) == 2
    assert len(numbers(client.get(url("home"), {"q": "alice@example.com"}))) == 2


def test_warehouse_cannot_search_customers_by_email(signed_in, make_return):
    make_return("1001")
    assert numbers(signed_in("warehouse").get(url("home"), {"q": "alice@example.com"})) == []


def test_filters_by_status_and_sorting(signed_in, make_return):
    a = make_return("1001")
    b = make_return("1002", status="approved")
    client = signed_in("agent")
    assert numbers(client.get(url("home"), {"status": "approved"})) == [b.number]
    assert numbers(client.get(url("home"), {"sort": "number"})) == sorted([a.number, b.number])


def test_review_past_the_store_target_is_marked_late(signed_in, make_return, store):
    rr = make_return("1001")
    SlaTarget.objects.create(store=store, stage="review", hours=2)
    client = signed_in("agent")
    assert client.get(url("home")).context["rows"][0]["late"] is False
    ReturnRequest.objects.filter(pk=rr.pk).update(created_at=timezone.now() - timedelta(hours=3))
    response = client.get(url("home"))
    assert response.context["rows"][0]["late"] is True
    assert {c: n for c, _l, n in response.context["queues"]}["overdue"] == 1
    assert numbers(client.get(url("home"), {"queue": "overdue"})) == [rr.number]


def test_the_list_costs_the_same_queries_for_one_or_many_returns(signed_in, make_return):
    client = signed_in("agent")
    make_return("1001", status="received")
    with CaptureQueriesContext(connection) as one:
        assert client.get(url("home")).status_code == 200
    for n in range(2, 7):
        make_return(f"10{n:02d}", status="approved" if n % 2 else "received")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url("home"))
    assert len(response.context["rows"]) == 6
    assert len(many.captured_queries) == len(one.captured_queries)


def test_pages_of_25(signed_in, make_return, settings):
    from retour.backoffice.views import returns as views

    views.PAGE_SIZE = 2
    try:
        for n in range(3):
            make_return(f"100{n}")
        client = signed_in("agent")
        assert len(numbers(client.get(url("home")))) == 2
        assert len(numbers(client.get(url("home"), {"page": 2}))) == 1
    finally:
        views.PAGE_SIZE = 25


def test_the_filter_form_through_htmx_gets_the_results_only(signed_in, make_return):
    rr = make_return("1001")
    response = signed_in("agent").get(url("home"), {"q": "1001"}, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert page.startswith('<div id="results">') and rr.number in page and "<html" not in page
