from brokers import api
from config.api import optional_slash

urlpatterns = [
    *optional_slash("brokers", api.BrokerListView.as_view(), name="api-brokers"),
    *optional_slash("brokers/me", api.BrokerMeView.as_view(), name="api-broker-me"),
    *optional_slash("brokers/<int:pk>", api.BrokerDetailView.as_view(), name="api-broker"),
]
