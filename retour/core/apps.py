from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "retour.core"
    label = "core"
    verbose_name = _("technical records")


class RetourAdminConfig(admin_apps.AdminConfig):
    """``django.contrib.admin`` with Retour's site: closed to logistics partners. Named in
    INSTALLED_APPS in place of ``django.contrib.admin``; ``CoreConfig`` stays this module's default."""

    default = False

    default_site = "retour.core.admin_site.RetourAdminSite"
