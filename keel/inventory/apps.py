from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "keel.inventory"
    label = "inventory"
    verbose_name = "Controlled-substance ledger"
