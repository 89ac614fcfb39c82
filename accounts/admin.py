from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.db.models import Exists, OuterRef, QuerySet
from django.http import HttpRequest

from accounts.models import User


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "name", "role")

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            from django.forms import ValidationError

            raise ValidationError("Someone already has an account with this email address.")
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class MFAFilter(admin.SimpleListFilter):
    title = "MFA"
    parameter_name = "mfa"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("yes", "Enrolled"), ("no", "Not enrolled")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() == "yes":
            return queryset.filter(mfa_enrolled=True)
        if self.value() == "no":
            return queryset.filter(mfa_enrolled=False)
        return queryset


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    ordering = ["email"]
    list_display = ["email", "name", "role", "mfa", "is_staff", "is_active", "date_joined", "last_login"]
    list_filter = ["role", MFAFilter, "is_staff", "is_active"]
    search_fields = ["email", "name"]
    search_help_text = "Search by email address or name."
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("name", "role")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "description": "Reviewers can only be added here or with `manage.py createreviewer`. "
                "The email address counts as verified, so the person can log in at once.",
                "fields": ("email", "name", "role", "password1", "password2"),
            },
        ),
    )

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        enrolled = Authenticator.objects.filter(user=OuterRef("pk"), type=Authenticator.Type.TOTP)
        return super().get_queryset(request).annotate(mfa_enrolled=Exists(enrolled))

    @admin.display(boolean=True, description="MFA", ordering="mfa_enrolled")
    def mfa(self, obj: User) -> bool:
        return bool(getattr(obj, "mfa_enrolled", False))

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            # People added by an admin are vouched for: a verified primary address, as `user_create` does.
            EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"primary": True, "verified": True})
