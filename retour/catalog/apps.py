from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "retour.catalog"
    label = "catalog"
