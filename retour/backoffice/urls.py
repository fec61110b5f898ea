"""Staff workspace, mounted under /<language>/staff/ (retour/config/urls.py).

Each area has its module in ``retour.backoffice.views``; add an area's paths to its own list
below and to ``urlpatterns``.
"""

from django.urls import path

from retour.backoffice.views import auth, receive, returns

app_name = "backoffice"

auth_urls = [
    path("login/", auth.login_view, name="login"),
    path("logout/", auth.logout_view, name="logout"),
    path("store/", auth.switch_store, name="switch_store"),
]

returns_urls = [
    path("", returns.home, name="home"),
    path("bulk/", returns.bulk, name="bulk"),
    path("r/<str:number>/", returns.detail, name="return"),
    path("r/<str:number>/<slug:name>/", returns.action, name="return_action"),
]

receive_urls = [
    path("receive/", receive.station, name="receive"),
    path("receive/<str:number>/", receive.receive_return, name="receive_return"),
]

urlpatterns = auth_urls + returns_urls + receive_urls
