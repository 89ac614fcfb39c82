from django.apps import AppConfig


class SpendingConfig(AppConfig):
    """After approval: statements imported, payments matched to the plan's lines, spending against the plan."""

    name = "spending"
    verbose_name = "Spending"

    def ready(self) -> None:
        from spending import privacy

        privacy.register()
