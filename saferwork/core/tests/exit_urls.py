"""Test-only URLs: the whole site plus one page that shows "Exit this page".

The component belongs on reporting and survey pages. This page lets the foundation
test it without adding a page to the product.
"""

from django.http import HttpRequest, HttpResponse
from django.template import engines
from django.urls import path

from saferwork.urls import handler403, handler404, handler500  # noqa: F401
from saferwork.urls import urlpatterns as site_urlpatterns

SENSITIVE_PAGE = """{% extends "base.html" %}
{% block title %}Tell us what happened{% endblock %}
{% block exit_this_page %}{% include "includes/exit_this_page.html" %}{% endblock %}
{% block content %}
<h1 class="govuk-heading-l">Tell us what happened</h1>
<p class="govuk-body">If someone might see your screen, use Exit this page or press Shift three times.</p>
<form method="get">
<div class="govuk-form-group">
  <label class="govuk-label" for="what">What happened</label>
  <textarea class="govuk-textarea" id="what" name="what" rows="3"></textarea>
</div>
<div class="govuk-form-group">
  <label class="govuk-label" for="where">Where it happened</label>
  <textarea class="govuk-textarea" id="where" name="where" rows="3"></textarea>
</div>
<div class="govuk-form-group">
  <label class="govuk-label" for="who">Who was involved</label>
  <textarea class="govuk-textarea" id="who" name="who" rows="3"></textarea>
</div>
<div class="govuk-form-group">
  <label class="govuk-label" for="wish">What you would like to happen</label>
  <textarea class="govuk-textarea" id="wish" name="wish" rows="5"></textarea>
</div>
</form>
{% endblock %}"""


def sensitive_page(request: HttpRequest) -> HttpResponse:
    return HttpResponse(engines["django"].from_string(SENSITIVE_PAGE).render({}, request))


urlpatterns = [path("test-only/sensitive/", sensitive_page), *site_urlpatterns]
