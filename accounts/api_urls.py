from accounts.api import MeView
from config.api import optional_slash

urlpatterns = [*optional_slash("me", MeView.as_view(), name="api-me")]
