from charter import api
from config.api import optional_slash

urlpatterns = [
    *optional_slash("charter", api.CharterView.as_view(), name="api-charter"),
    *optional_slash("charter/signatures", api.SignatureListView.as_view(), name="api-signatures"),
    *optional_slash("charter/signatures/<int:pk>", api.SignatureDetailView.as_view(), name="api-signature"),
    *optional_slash(
        "charter/signatures/<int:pk>/verify", api.SignatureVerifyView.as_view(), name="api-signature-verify"
    ),
    *optional_slash(
        "charter/signatures/<int:pk>/suspend", api.SignatureSuspendView.as_view(), name="api-signature-suspend"
    ),
    *optional_slash("charter/concerns", api.ConcernListView.as_view(), name="api-concerns"),
]
