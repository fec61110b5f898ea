from django.urls import path

from bench.floor.api import api

urlpatterns = [path("floor/", api.urls)]
