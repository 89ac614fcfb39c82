from accounts import api
from config.api import optional_slash

urlpatterns = [
    *optional_slash("me", api.MeView.as_view(), name="api-me"),
    *optional_slash("me/access-log", api.AccessLogList.as_view(), name="api-me-access-log"),
    *optional_slash("me/export", api.ExportView.as_view(), name="api-me-export"),
    *optional_slash("me/export/<int:pk>", api.ExportOne.as_view(), name="api-me-export-one"),
    *optional_slash("me/erasure", api.ErasureRequestCreate.as_view(), name="api-me-erasure"),
    *optional_slash("erasure-requests", api.ErasureRequestList.as_view(), name="api-erasure-requests"),
    *optional_slash("erasure-requests/<int:pk>/complete", api.ErasureComplete.as_view(), name="api-erasure-complete"),
    *optional_slash("erasure-requests/<int:pk>/refuse", api.ErasureRefuse.as_view(), name="api-erasure-refuse"),
    *optional_slash("representatives", api.RepresentativeListCreate.as_view(), name="api-representatives"),
    *optional_slash(
        "representatives/<int:pk>/accept", api.RepresentativeAccept.as_view(), name="api-representative-accept"
    ),
    *optional_slash(
        "representatives/<int:pk>/revoke", api.RepresentativeRevoke.as_view(), name="api-representative-revoke"
    ),
]
