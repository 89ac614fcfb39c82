from tests.plans.conftest import plan, submitted_plan  # noqa: F401  (the plans fixtures, here too)
