from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"

    def ready(self) -> None:
        import config.schema  # noqa: F401  (registers the OpenAPI description of the session token)
        from accounts import retention

        retention.register_sessions()
