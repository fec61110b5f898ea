"""The admin site of Retour (``RetourAdminConfig.default_site``).

Its own module: ``retour.core.admin`` registers models on the site, so the site's class must be
importable before that module runs.
"""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest


class RetourAdminSite(admin.AdminSite):
    """The admin, closed to logistics partners (and to staff without a store)."""

    def has_permission(self, request: HttpRequest) -> bool:
        from retour.core.admin import admin_may_enter

        return admin_may_enter(request)
