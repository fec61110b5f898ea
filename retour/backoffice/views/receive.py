"""The receiving station: scan a slip (or type a number), receive and grade unit by unit."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from retour.backoffice.access import staff_view
from retour.backoffice.forms import ScanForm
from retour.backoffice.views.common import render_staff, staff_return
from retour.backoffice.views.returns import detail_context
from retour.returns.selectors import return_find_by_code


@require_GET
@staff_view("return.receive")
def station(request: HttpRequest) -> HttpResponse:
    """A scanner types the code and Enter: the form is a GET, so the code lands here."""
    staff = request.staff  # type: ignore[attr-defined]
    form = ScanForm(request.GET or None)
    status = 200
    if request.GET and form.is_valid():
        rr = return_find_by_code(store=staff.store, code=form.cleaned_data["code"], location=staff.location)
        if rr is not None:
            return redirect("backoffice:receive_return", number=rr.number)
        # Unknown, another store's or another location's: the same answer, nothing changes.
        form.add_error(
            "code", _("No return of yours matches “%(code)s”.") % {"code": form.cleaned_data["code"]}
        )
        status = 404
    return render_staff(request, "backoffice/receive.html", {"form": form}, status=status)


@require_GET
@staff_view("return.receive")
def receive_return(request: HttpRequest, number: str) -> HttpResponse:
    rr = staff_return(request, number)
    context = detail_context(request, rr)
    context["form"] = ScanForm()
    if not context["to_receive"] and not context["to_grade"]:
        messages.info(request, _("Nothing left to receive or grade on this return."))
    return render_staff(request, "backoffice/receive_return.html", context)
