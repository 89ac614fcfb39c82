from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/home.html")


def crisis(request: HttpRequest) -> HttpResponse:
    return render(request, "frontend/crisis.html")


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    role = "admin" if request.user.is_staff else request.user.role  # type: ignore[union-attr]
    return render(request, f"frontend/dashboard_{role}.html", {"role": role})
