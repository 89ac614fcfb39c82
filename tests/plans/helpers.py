"""Steps many plan tests share: the broker shares, the client agrees to what was shared; the plan's audit trail."""

from audit.models import Event
from plans import services
from plans.models import Plan


def share(plan: Plan) -> Plan:
    return services.plan_share(plan=plan, by=plan.broker)


def agree(plan: Plan, client=None) -> Plan:
    """The broker shares the plan as it is, and the client agrees to that digest."""
    shared = share(plan)
    return services.plan_agree(plan=shared, by=client or plan.client, digest=shared.shared_digest)


def plan_events(plan: Plan):
    return Event.objects.filter(record_type="plan", record_id=plan.pk).order_by("at", "id")


def approve(plan: Plan, reviewer) -> Plan:
    """Through the real services: shared, agreed, submitted, checked on the worker's service, claimed, approved."""
    agree(plan)
    services.plan_submit(plan=plan, by=plan.client)
    services.submission_process(plan_id=plan.pk, version=plan.version)
    services.plan_claim(plan=Plan.objects.get(pk=plan.pk), by=reviewer)
    return services.plan_decide(plan=Plan.objects.get(pk=plan.pk), by=reviewer, outcome="approved", note="Fine")
