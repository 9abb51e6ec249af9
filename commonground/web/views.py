"""Thin page views: each asks a query function for data the access policy allows."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from commonground.events.queries import dataset_summary
from commonground.sharing.policy import policy


@policy("public")
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "web/home.html", {"summary": dataset_summary(request.user)})
