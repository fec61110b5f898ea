"""Customers: search, and one customer's page (orders, returns, refunds, store credit,
messages, return rate). Admins and agents only: warehouse staff and partners see no customer
data."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from retour.backoffice.access import staff_view
from retour.backoffice.customers import customer_overview, customer_search
from retour.backoffice.views.common import render_staff
from retour.core.errors import NotFound


@require_GET
@staff_view("customer.view")
def customers(request: HttpRequest) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    query = request.GET.get("q", "").strip()[:200]
    return render_staff(
        request,
        "backoffice/customers/list.html",
        {"q": query, "rows": list(customer_search(store=staff.store, query=query))},
    )


@require_GET
@staff_view("customer.view")
def customer(request: HttpRequest, pk: int) -> HttpResponse:
    staff = request.staff  # type: ignore[attr-defined]
    try:
        view = customer_overview(store=staff.store, customer_id=pk)
    except NotFound:
        raise Http404() from None
    context = {"view": view, "c": view.customer, "can_create": staff.can("return.create")}
    return render_staff(request, "backoffice/customers/detail.html", context)
