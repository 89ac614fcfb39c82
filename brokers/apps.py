from django.apps import AppConfig


class BrokersConfig(AppConfig):
    name = "brokers"

    def ready(self) -> None:
        from brokers import receivers  # noqa: F401  (connects the profile-at-sign-up receiver)
