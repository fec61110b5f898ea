"""Return photos for staff. They live here, not in core: core never imports returns."""

from __future__ import annotations

from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest

from retour.returns.models import ReturnPhoto


def media_for_staff(request: HttpRequest, path: str) -> FileResponse:
    """Return photos are personal data: only staff of the photo's store may see them."""
    user = request.user
    if not user.is_authenticated or not user.is_staff:
        raise Http404
    photo = (
        ReturnPhoto.objects.filter(Q(image=path) | Q(thumbnail=path)).select_related("return_request").first()
    )
    if photo is None:
        raise Http404
    store_id = photo.return_request.store_id
    membership = user.memberships.filter(store_id=store_id).select_related("location").first()
    if not user.is_superuser and membership is None:
        raise Http404
    if membership is not None and membership.role == "partner":
        from retour.returns.models import ReturnRequest
        from retour.returns.selectors import routed_to

        # A partner sees the photos of the returns routed to its location only.
        routed = ReturnRequest.objects.filter(pk=photo.return_request_id)
        if membership.location is None or not routed.filter(routed_to(membership.location)).exists():
            raise Http404
    field = photo.image if photo.image.name == path else photo.thumbnail
    return FileResponse(field.open("rb"), content_type="image/jpeg")
