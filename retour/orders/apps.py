from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "retour.orders"
    label = "orders"
