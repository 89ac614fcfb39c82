from brokers import api
from config.api import optional_slash

urlpatterns = [
    *optional_slash("brokers", api.BrokerListView.as_view(), name="api-brokers"),
    *optional_slash("brokers/me", api.BrokerMeView.as_view(), name="api-broker-me"),
    *optional_slash("brokers/<int:pk>", api.BrokerDetailView.as_view(), name="api-broker"),
    *optional_slash("engagements", api.EngagementListView.as_view(), name="api-engagements"),
    *optional_slash("engagements/<int:pk>", api.EngagementDetailView.as_view(), name="api-engagement"),
    *[
        route
        for action in ("accept", "decline", "withdraw", "end")
        for route in optional_slash(
            f"engagements/<int:pk>/{action}",
            api.EngagementActionView.as_view(action_name=action),
            name=f"api-engagement-{action}",
        )
    ],
    *optional_slash("engagements/<int:pk>/messages", api.MessageListView.as_view(), name="api-engagement-messages"),
    *optional_slash("engagements/<int:pk>/messages/read", api.MessagesReadView.as_view(), name="api-messages-read"),
    *optional_slash("engagements/<int:pk>/feedback", api.FeedbackView.as_view(), name="api-engagement-feedback"),
]
