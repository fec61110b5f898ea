"""Shopper pages, mounted under /<language>/portal/ (retour/config/urls.py)."""

from django.urls import path

from retour.integrations.storefront.views import portal_deep_link
from retour.portal import views

app_name = "portal"

urlpatterns = [
    # The status link is unguessable (192 bits); emails link to it.
    path("r/<str:token>", views.status, name="status"),
    path("r/<str:token>/slip.pdf", views.slip, name="slip"),
    path("r/<str:token>/ship", views.ship, name="ship"),
    path("r/<str:token>/cancel", views.cancel, name="cancel"),
    path("r/<str:token>/message", views.message, name="message"),
    path("r/<str:token>/faq", views.faq_answer, name="faq"),
    path("r/<str:token>/acknowledgement", views.acknowledgement, name="acknowledgement"),
    path("<slug:store>/", views.start, name="start"),
    # The shop's signed link to one order (retour.integrations.storefront.links).
    path("<slug:store>/start", portal_deep_link, name="deep_link"),
    path("<slug:store>/order/", views.order_page, name="order"),
    path("<slug:store>/order/review/", views.review, name="review"),
    path("<slug:store>/withdraw/", views.withdraw, name="withdraw"),
    path("<slug:store>/withdraw/confirm/", views.withdraw_confirm, name="withdraw_confirm"),
    path("<slug:store>/policy", views.policy, name="policy"),
    path("<slug:store>/help", views.help_page, name="help"),
]
