from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from saferwork.law import services
from saferwork.law.forms import LegalRuleForm
from saferwork.law.models import LegalRule
from saferwork.organisations.permissions import programme_admin_required


@programme_admin_required
def rule_list(request: HttpRequest) -> HttpResponse:
    return render(request, "law/rule_list.html", {"rules": LegalRule.objects.select_related("updated_by")})


@programme_admin_required
def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    # Dated law is programme-wide data, not owned by an organisation: only programme
    # admins reach it, through the decorator above.
    rule = get_object_or_404(LegalRule, pk=pk)
    form = LegalRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data}
        try:
            if changes:
                services.correct_rule(rule_id=rule.pk, actor=request.user, changes=changes)
                messages.success(
                    request, "The rule has been corrected. Every page that uses it now shows the new value."
                )
        except ValidationError as error:  # e.g. a clash made by someone else meanwhile
            form.add_error(None, error)
        else:
            return redirect("law:rules")
    return render(request, "law/rule_edit.html", {"rule": rule, "form": form})
