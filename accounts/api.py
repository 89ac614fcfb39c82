from drf_spectacular.utils import extend_schema
from rest_framework import generics

from accounts.serializers import MeSerializer


@extend_schema(tags=["accounts"])
class MeView(generics.RetrieveUpdateAPIView):
    """The signed-in person: who they are, their role, whether MFA is on. PATCH changes the name."""

    serializer_class = MeSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):  # type: ignore[no-untyped-def]
        return self.request.user
