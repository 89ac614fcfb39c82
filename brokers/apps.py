from django.apps import AppConfig


class BrokersConfig(AppConfig):
    name = "brokers"

    def ready(self) -> None:
        from brokers import privacy, receivers  # noqa: F401  (profiles and listings follow accounts and signatures)
        from brokers.selectors import brokers_nameable_by
        from charter.permissions import concern_subjects_register

        # Charter sits below brokers: it learns here whom a person may name in a concern (listed, or worked with).
        concern_subjects_register(brokers_nameable_by)
        privacy.register()
