from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionsConfig(AppConfig):
    name = "retour.resolutions"
    label = "resolutions"
    verbose_name = _("refunds and store credit")
