from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResolutionsConfig(AppConfig):
    name = "retour.resolutions"
    label = "resolutions"
    verbose_name = _("refunds and store credit")

    def ready(self) -> None:
        # A store-credit resolution is credited as soon as its return reaches the refund
        # trigger. Returns call their registered handlers; they never import resolutions.
        # A keep-it refund resolution is refunded at approval, the same way.
        from retour.resolutions.keep_it import keep_it_refund
        from retour.resolutions.services import refund_auto_credit
        from retour.returns.services import on_keep_it, on_refund_trigger

        on_refund_trigger(refund_auto_credit)
        on_keep_it(keep_it_refund)
