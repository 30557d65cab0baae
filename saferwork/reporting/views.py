"""Pages for reporters (no account) and for case handlers (2FA, sudo before a case opens)."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from csp.decorators import csp_update
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_POST

from saferwork.accounts.decorators import in_sudo_mode, sudo_required
from saferwork.accounts.models import User
from saferwork.lib import ratelimit, suppression
from saferwork.lib.csvstream import csv_lines
from saferwork.lib.pagination import counted_page
from saferwork.organisations.models import Organisation
from saferwork.organisations.permissions import role_required
from saferwork.reporting import attachments, crypto, forms, keys, selectors, services, statistics, timelimits
from saferwork.reporting.models import Attachment, PrivateRecord, Report, ReportingSettings

# Browser-side Argon2id runs in WebAssembly: allowed on the two pages that need it only.
WASM = csp_update({"script-src": ["'wasm-unsafe-eval'"]})
CASE_COUNT_CAP = 1000

logger = logging.getLogger(__name__)
EVIDENCE_STEP = "evidence"
ORDER = [f.step for f in forms.STEPS] + [EVIDENCE_STEP] + [f.step for f in forms.AFTER_EVIDENCE] + ["check"]
# "Question 3 of 11": the check-your-answers page at the end is not a question.
QUESTIONS = ORDER[:-1]

NEXT_STEPS = {
    Report.Status.RECEIVED: "Your report has arrived. A handler will acknowledge it by {due}.",
    Report.Status.ACKNOWLEDGED: (
        "A handler has read your report. They will look at what you asked for and may write to you here."
    ),
    Report.Status.ASSESSING: "A handler is working out, with you, what can be done. Check here for messages.",
    Report.Status.RESOLVING_INFORMAL: (
        "Your report is being resolved informally, as agreed. You can write here at any time."
    ),
    Report.Status.RESOLVING_FORMAL: (
        "A formal process has started. A handler will tell you here what happens at each stage."
    ),
    Report.Status.CLOSED: (
        "Your case is closed. You can still read it here. Your alert email, if you gave one, has been erased."
    ),
}


# ---------------------------------------------------------------- reporter helpers


def reporter_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Resolve the organisation from the slug (404 unless reporting is on), and make the
    response uncacheable and carry the vault cookies."""

    # Receipts, receipt keys, answers and messages: never in an error report (and
    # lib/errorfilter.py cleanses these paths whole, whatever a view declares).
    view = sensitive_variables()(view)

    @wraps(view)
    @sensitive_post_parameters()
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        organisation, org_settings = selectors.active_organisation_for_slug(slug)
        response = view(request, organisation, org_settings, *args, **kwargs)
        add_never_cache_headers(response)
        response["Cache-Control"] = "no-store, no-cache, must-revalidate, private, max-age=0"
        return keys.apply_cookies(request, response)

    return wrapper


def _posted(request: HttpRequest) -> Any:
    """The POST data for a POST (even an empty one, so that optional pages validate)."""
    return request.POST if request.method == "POST" else None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _load_draft(request: HttpRequest, organisation: Organisation) -> dict[str, Any] | None:
    raw = keys.Vault(request, keys.DRAFT).get()
    if raw is None:
        return None
    try:
        draft: dict[str, Any] = json.loads(raw)
    except ValueError:
        return None
    return draft if draft.get("org") == organisation.pk else None


def _new_draft(organisation: Organisation) -> dict[str, Any]:
    # The report's key pair is made now, so files can be sealed as soon as they arrive.
    public, private = crypto.new_keypair()
    return {"org": organisation.pk, "answers": {}, "pub": _b64(public), "priv": _b64(private), "files": []}


def _save_draft(request: HttpRequest, draft: dict[str, Any]) -> None:
    keys.Vault(request, keys.DRAFT).put(json.dumps(draft).encode())


def _handler_choices(organisation: Organisation) -> list[tuple[str, str]]:
    return [(str(u.pk), u.get_full_name()) for u in selectors.handlers(organisation)]


def _next_step(step: str) -> str:
    return ORDER[ORDER.index(step) + 1]


def _step_url(organisation: Organisation, step: str) -> str:
    if step == "check":
        return reverse("reporting:check", args=[organisation.slug])
    if step == EVIDENCE_STEP:
        return reverse("reporting:evidence", args=[organisation.slug])
    return reverse("reporting:question", args=[organisation.slug, step])


def _previous_url(organisation: Organisation, step: str) -> str:
    index = ORDER.index(step)
    if index == 0:
        return reverse("reporting:start", args=[organisation.slug])
    return _step_url(organisation, ORDER[index - 1])


def _after(request: HttpRequest, organisation: Organisation, step: str) -> HttpResponse:
    if request.GET.get("change") or request.POST.get("change"):
        return redirect(_step_url(organisation, "check"))
    return redirect(_step_url(organisation, _next_step(step)))


def _reporter_context(organisation: Organisation, org_settings: ReportingSettings, **extra: Any) -> dict[str, Any]:
    return {
        "organisation": organisation,
        "org_settings": org_settings,
        "recovery_holders": selectors.recovery_key_holders(org_settings),
        **extra,
    }


def _upload_refused(request: HttpRequest, upload: Any, *, stored: int) -> tuple[str, int] | None:
    """Why a reporter's file is refused before it is cleaned and stored, with the status,
    or None: the storage quota of the draft, record or report (``stored`` bytes already),
    then the anonymous upload limits, per address and for everybody together. A file over
    the quota counts no attempt; any other counts one, cleaned or refused."""
    quota = settings.REPORTING_MAX_STORED_BYTES
    if stored + (upload.size or 0) > quota:
        return (
            f"Your files together must be smaller than {quota // (1024 * 1024) or 1} MB. "
            "Remove a file, or add a smaller copy",
            200,
        )
    address = ratelimit.client_address(request)
    limit = settings.RATE_LIMIT_ANONYMOUS_UPLOAD
    if ratelimit.hit("anonymous-upload", address, limit) > limit[0]:
        return "Too many files have been added from this connection. Try again in an hour", 429
    limit = settings.RATE_LIMIT_ANONYMOUS_UPLOAD_TOTAL
    if ratelimit.hit("anonymous-upload-total", "everyone", limit) > limit[0]:
        return (
            "A lot of files are being added at the moment. Try again in an hour. "
            "You can send your report now and add the file later with your receipt",
            429,
        )
    return None


def _stored_bytes(metas: Any) -> int:
    return sum(int(meta.get("size") or 0) for meta in metas)


# ---------------------------------------------------------------- reporter pages


@reporter_page
def start(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    return render(
        request,
        "reporting/start.html",
        _reporter_context(
            organisation,
            org_settings,
            first=_step_url(organisation, ORDER[0]),
            ack_days=settings.REPORTING_ACK_WORKING_DAYS,
            idle_minutes=settings.SESSION_IDLE_SECONDS // 60,
        ),
    )


@reporter_page
def support(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    return render(request, "reporting/support.html", _reporter_context(organisation, org_settings))


@reporter_page
def question(
    request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings, step: str
) -> HttpResponse:
    form_class = forms.STEP_BY_SLUG.get(step)
    if form_class is None:
        raise Http404
    draft = _load_draft(request, organisation)
    extra: dict[str, Any] = {}
    if form_class is forms.ExcludeForm:
        extra["handlers"] = _handler_choices(organisation)
        extra["recovery_holders"] = selectors.recovery_key_holders(org_settings)
    initial = (draft or {}).get("answers", {}).get(step, {})
    form = form_class(_posted(request), initial=initial, **extra)
    if request.method == "POST" and form.is_valid():
        draft = draft or _new_draft(organisation)
        draft["answers"][step] = form.answers()
        _save_draft(request, draft)
        return _after(request, organisation, step)
    return render(
        request,
        "reporting/question.html",
        _reporter_context(
            organisation,
            org_settings,
            form=form,
            back=_previous_url(organisation, step),
            change=bool(request.GET.get("change")),
            position=QUESTIONS.index(step) + 1,
            total=len(QUESTIONS),
        ),
    )


@reporter_page
def evidence(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    draft = _load_draft(request, organisation)
    form = forms.EvidenceForm(_posted(request), request.FILES if request.method == "POST" else None)
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data.get("file")
        if upload is None:
            return _after(request, organisation, EVIDENCE_STEP)
        draft = draft or _new_draft(organisation)
        if len(draft["files"]) >= settings.REPORTING_MAX_ATTACHMENTS:
            form.add_error("file", f"You can add up to {settings.REPORTING_MAX_ATTACHMENTS} files")
        elif upload.size > settings.REPORTING_MAX_ATTACHMENT_BYTES:
            limit = settings.REPORTING_MAX_ATTACHMENT_BYTES // (1024 * 1024) or 1
            form.add_error("file", f"The selected file must be smaller than {limit} MB")
        elif refused := _upload_refused(request, upload, stored=_stored_bytes(draft["files"])):
            form.add_error("file", refused[0])
            status = refused[1]
        else:
            try:
                clean = attachments.clean_upload(upload.name or "", upload.read())
            except attachments.AttachmentError as exc:
                form.add_error("file", str(exc))
            else:
                name, meta = attachments.seal_and_store(clean, base64.b64decode(draft["pub"]))
                draft["files"].append(
                    {"storage": name, "meta": _b64(meta), "label": clean.name, "size": len(clean.data)}
                )
                _save_draft(request, draft)
                messages.success(request, f"{clean.name} added")
                return redirect(request.get_full_path())
    return render(
        request,
        "reporting/evidence.html",
        _reporter_context(
            organisation,
            org_settings,
            form=form,
            files=(draft or {}).get("files", []),
            back=_previous_url(organisation, EVIDENCE_STEP),
            next_url=_step_url(organisation, _next_step(EVIDENCE_STEP)),
            change=bool(request.GET.get("change")),
            position=QUESTIONS.index(EVIDENCE_STEP) + 1,
            total=len(QUESTIONS),
        ),
        status=status,
    )


@require_POST
@reporter_page
def evidence_remove(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    draft = _load_draft(request, organisation)
    index = request.POST.get("index", "")
    if draft and index.isdigit() and int(index) < len(draft["files"]):
        removed = draft["files"].pop(int(index))
        attachments.delete_stored(removed["storage"])
        _save_draft(request, draft)
    return redirect("reporting:evidence", organisation.slug)


def _missing_step(draft: dict[str, Any] | None) -> str | None:
    answers = (draft or {}).get("answers", {})
    for form_class in forms.ALL_STEPS:
        if form_class.step not in answers and form_class is not forms.ExcludeForm:
            return form_class.step
    return None


@WASM
@reporter_page
def check(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    draft = _load_draft(request, organisation)
    missing = _missing_step(draft)
    if draft is None or missing:
        return redirect(_step_url(organisation, missing or ORDER[0]))
    handler_names = dict(_handler_choices(organisation))
    form = forms.SubmitForm(_posted(request))
    status = 200
    excluded = {str(pk) for pk in draft["answers"].get(forms.ExcludeForm.step, {}).get("excluded", [])}
    readers = {str(pk) for pk in selectors.readers(organisation).values_list("pk", flat=True)}
    # Nobody left to read it: say so before sending, and never store a report sealed to no one.
    unreadable = "excluded_all" if readers and readers <= excluded else "no_readers" if not readers else ""
    if request.method == "POST" and unreadable:
        form.add_error(None, "Nobody at this organisation could read your report. Nothing has been sent.")
    elif request.method == "POST" and form.is_valid():
        address = ratelimit.client_address(request)
        if (
            ratelimit.hit("report-submit", address, settings.RATE_LIMIT_REPORT_SUBMIT)
            > settings.RATE_LIMIT_REPORT_SUBMIT[0]
        ):
            form.add_error(None, "Too many reports have been sent from this connection. Try again in an hour.")
            status = 429
        else:
            return _submit(request, organisation, org_settings, draft, form.cleaned_data["client"])
    return render(
        request,
        "reporting/check.html",
        _reporter_context(
            organisation,
            org_settings,
            form=form,
            rows=forms.summarise(draft["answers"], handler_names=handler_names),
            files=draft["files"],
            notify_email=draft["answers"].get(forms.IdentityForm.step, {}).get("notify_email", ""),
            kdf=crypto.KdfParams.current(),
            salt=bytes(org_settings.receipt_salt).hex(),
            unreadable=unreadable,
            union_routes=_record_destinations(organisation)[1:],
        ),
        status=status,
    )


def _receipt_pair(
    client: tuple[str, bytes] | None, org_settings: ReportingSettings, params: crypto.KdfParams
) -> tuple[str, bytes] | None:
    """The receipt and its key for a new report, or None if the browser's pair is wrong.

    With JavaScript the browser made both; the key is checked against the receipt before
    anything is stored (one derivation, behind the submission rate limit), so that the
    receipt shown always opens the report. Without JavaScript the server makes both."""
    salt = bytes(org_settings.receipt_salt)
    if client is None:
        receipt = crypto.new_receipt()
        return receipt, crypto.derive_key(receipt, salt, params)
    receipt, key = client
    if not crypto.receipt_key_matches(receipt, key, salt, params):
        return None
    return receipt, key


def _submit(
    request: HttpRequest,
    organisation: Organisation,
    org_settings: ReportingSettings,
    draft: dict[str, Any],
    client: tuple[str, bytes] | None,
) -> HttpResponse:
    params = crypto.KdfParams.current()
    pair = _receipt_pair(client, org_settings, params)
    if pair is None:
        messages.error(request, "Your report could not be sent securely. Nothing was sent: try again.")
        return redirect("reporting:check", organisation.slug)
    receipt, receipt_key = pair
    answers = draft["answers"]
    identity = answers.get(forms.IdentityForm.step, {})
    handler_ids = {pk for pk, _ in _handler_choices(organisation)}
    excluded = [int(pk) for pk in answers.get(forms.ExcludeForm.step, {}).get("excluded", []) if pk in handler_ids]
    notify_email = identity.get("notify_email", "")
    stored_answers = {step: dict(values) for step, values in answers.items()}
    stored_answers.get(forms.IdentityForm.step, {}).pop("notify_email", None)
    submission = services.Submission(
        answers=stored_answers,
        public_key=base64.b64decode(draft["pub"]),
        private_key=base64.b64decode(draft["priv"]),
        attachments=[(f["storage"], base64.b64decode(f["meta"])) for f in draft["files"]],
        excluded_user_ids=excluded,
        notify_email=notify_email,
        is_named=identity.get("named") == "yes",
    )
    try:
        report = services.submit_report(
            organisation=organisation, submission=submission, receipt_key=receipt_key, receipt_kdf=params
        )
    except services.NobodyCouldRead:
        # The check page explains why and what to do instead; the draft is kept.
        return redirect("reporting:check", organisation.slug)
    except (IntegrityError, ValueError, ReportingSettings.DoesNotExist) as exc:
        # A receipt collision (1 in 10^16), a draft whose keys do not match, or reporting
        # switched off meanwhile: ask to try again and keep the draft. The class only is
        # logged, never the content.
        logger.warning("A report could not be stored: %s", type(exc).__name__)
        messages.error(request, "Your report could not be sent. Try again.")
        return redirect("reporting:check", organisation.slug)
    keys.Vault(request, keys.DRAFT).clear()
    held = _followed_record(request)
    from_record = bool(draft.get("record"))
    if from_record and held is not None and held[0].pk == draft["record"]:
        # Sent as a report: the private record it came from is deleted, as the page said.
        services.delete_record(record=held[0])
        keys.Vault(request, keys.RECORD).clear()
    # Rendered in the answer to the POST, never stored: the receipt is shown once.
    return render(
        request,
        "reporting/submitted.html",
        _reporter_context(
            organisation,
            org_settings,
            receipt=crypto.format_receipt(receipt),
            ack_by=report.acknowledge_by,
            from_record=from_record,
        ),
    )


# ---------------------------------------------------------------- follow-up


def _follow_up_page(
    request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings, **extra: Any
) -> dict[str, Any]:
    kdfs = [{"opslimit": p.opslimit, "memlimit": p.memlimit_kib} for p in selectors.receipt_kdfs()]
    return _reporter_context(
        organisation, org_settings, kdfs=json.dumps(kdfs), salt=bytes(org_settings.receipt_salt).hex(), **extra
    )


@WASM
@reporter_page
def follow_up(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    form = forms.ReceiptForm(_posted(request))
    if request.method == "POST":
        address = ratelimit.client_address(request)
        if ratelimit.is_limited("report-follow-up", address, settings.RATE_LIMIT_REPORT_FOLLOW_UP):
            context = _follow_up_page(request, organisation, org_settings, form=forms.ReceiptForm(), limited=True)
            return render(request, "reporting/follow_up.html", context, status=429)
        found = None
        candidates: list[bytes] = []
        # The key under today's parameters, when the server derived it itself from the
        # receipt: what was opened under older parameters is re-wrapped under it.
        current_key: bytes | None = None
        if form.is_valid():
            candidates = form.cleaned_data.get("key_bytes") or []
            if not candidates:
                # No JavaScript: the server derives, once per parameter set, within a limit.
                salt = bytes(org_settings.receipt_salt)
                for params in selectors.receipt_kdfs():
                    limit = settings.RATE_LIMIT_REPORT_DERIVE
                    if ratelimit.hit("report-derive", address, limit) > limit[0]:
                        break
                    candidates.append(crypto.derive_key(form.cleaned_data["receipt"], salt, params))
                    if params == crypto.KdfParams.current():
                        current_key = candidates[-1]
            for key in candidates:
                found = services.find_report_by_receipt_key(organisation, key)
                if found is not None:
                    if current_key is not None and key != current_key:
                        services.rewrap_receipt(item=found[0], private=found[1], receipt_key=current_key)
                    break
        if found is None:
            # The same receipt page opens a private record (never sent to anyone).
            for key in candidates if form.is_valid() else []:
                record = services.find_record_by_receipt_key(key)
                if record is not None:
                    if current_key is not None and key != current_key:
                        services.rewrap_receipt(item=record[0], private=record[1], receipt_key=current_key)
                    _put_record(request, *record)
                    return redirect("reporting:record", organisation.slug)
            ratelimit.hit("report-follow-up", address, settings.RATE_LIMIT_REPORT_FOLLOW_UP)
            if not form.errors:
                form.add_error("receipt", "The receipt is not right. Check the 16 numbers and try again")
        else:
            report, private = found
            keys.Vault(request, keys.FOLLOW_UP).put(json.dumps({"report": report.pk, "key": _b64(private)}).encode())
            return redirect("reporting:follow_up_case", organisation.slug)
    return render(request, "reporting/follow_up.html", _follow_up_page(request, organisation, org_settings, form=form))


def _followed_report(request: HttpRequest, organisation: Organisation) -> tuple[Report, bytes] | None:
    raw = keys.Vault(request, keys.FOLLOW_UP).get()
    if raw is None:
        return None
    data = json.loads(raw)
    report = Report.objects.filter(organisation=organisation, pk=data["report"]).first()
    if report is None:
        return None
    return report, base64.b64decode(data["key"])


@reporter_page
def follow_up_case(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    followed = _followed_report(request, organisation)
    if followed is None:
        return redirect("reporting:follow_up", organisation.slug)
    report, private = followed
    # Two forms on one page: a message, or ACAS dates for the tribunal clock (never stored).
    asking_clock = request.method == "POST" and request.POST.get("action") == "time-limit"
    acas_form = forms.AcasForm(request.POST if asking_clock else None)
    posted_message = request.method == "POST" and not asking_clock
    form = forms.ReporterMessageForm(
        request.POST if posted_message else None, request.FILES if posted_message else None
    )
    status = 200
    if posted_message and not report.is_closed and form.is_valid():
        sealed_files: list[tuple[str, bytes]] = []
        upload = form.cleaned_data.get("file")
        if upload is not None:
            try:
                if upload.size > settings.REPORTING_MAX_ATTACHMENT_BYTES:
                    raise attachments.AttachmentError("The selected file is too big")
                stored = _stored_bytes(
                    attachments.open_meta(private, bytes(a.sealed_meta)) for a in report.attachments.all()
                )
                if refused := _upload_refused(request, upload, stored=stored):
                    status = refused[1]
                    raise attachments.AttachmentError(refused[0])
                clean = attachments.clean_upload(upload.name or "", upload.read())
            except attachments.AttachmentError as exc:
                form.add_error("file", str(exc))
            else:
                sealed_files.append(attachments.seal_and_store(clean, bytes(report.public_key)))
        if not form.errors:
            services.add_reporter_message(report=report, body=form.cleaned_data["body"], attachments=sealed_files)
            messages.success(request, "Your message has been sent")
            return redirect("reporting:follow_up_case", organisation.slug)
    answers = services.open_json(private, bytes(report.content))
    thread = [
        {
            "from_handler": m.author_kind == m.Author.HANDLER,
            "sent_on": m.sent_on,
            "body": crypto.unseal(private, bytes(m.body)).decode(),
        }
        for m in report.messages.all()
    ]
    today = selectors.today_for(organisation)
    clock = timelimits.clock_for(answers, today=today)
    paused = None
    if asking_clock and acas_form.is_valid():
        paused = timelimits.clock_for(
            answers,
            today=today,
            acas_day_a=acas_form.cleaned_data["acas_day_a"],
            acas_day_b=acas_form.cleaned_data["acas_day_b"],
        )
    return render(
        request,
        "reporting/follow_up_case.html",
        _reporter_context(
            organisation,
            org_settings,
            report=report,
            form=form,
            acas_form=acas_form,
            clock=clock,
            paused=paused,
            can_share=organisation.kind == Organisation.Kind.UNION and bool(_employer_routes()),
            shares=list(report.shares.select_related("employer")),
            gave_date=timelimits.last_act(answers.get("when") or {}, today) is not None,
            thread=thread,
            rows=forms.summarise(answers, handler_names=dict(_handler_choices(organisation))),
            next_step=NEXT_STEPS[Report.Status(report.status)].format(due=f"{report.acknowledge_by:%-d %B %Y}"),
        ),
        status=status,
    )


@require_POST
@reporter_page
def follow_up_leave(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    keys.Vault(request, keys.FOLLOW_UP).clear()
    keys.Vault(request, keys.RECORD).clear()
    return redirect("reporting:start", organisation.slug)


# ---------------------------------------------------------------- handlers


@role_required("is_case_handler")
def case_list(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    today = selectors.today_for(organisation)
    cases = selectors.cases_for_handler(organisation, request.user)
    wanted = request.GET.get("status", "open")
    if wanted == "open":
        cases = cases.exclude(status=Report.Status.CLOSED)
    elif wanted == "overdue":
        cases = cases.filter(selectors.overdue_filter(today))
    elif wanted in Report.Status.values:
        cases = cases.filter(status=wanted)
    # Counted only up to a cap: an exact COUNT of 20,000 cases cost more than the page.
    page = counted_page(cases.order_by("-submitted_on", "-id"), 50, request.GET.get("page"), cap=CASE_COUNT_CAP)
    counts = selectors.message_counts(list(page))
    for report in page:
        report.message_count = counts.get(report.pk, 0)  # type: ignore[attr-defined]
    return render(
        request,
        "reporting/case_list.html",
        {
            "page": page,
            "today": today,
            "wanted": wanted,
            "statuses": Report.Status.choices,
            "org_settings": selectors.reporting_settings(organisation),
            "count_cap": f"{CASE_COUNT_CAP:,}",
            "locked": keys.handler_private_key(request) is None,
            # Anyone shown a case has access; ask only when the page is empty.
            "no_access": not page.object_list
            and not selectors.readers(organisation).filter(pk=request.user.pk or 0).exists(),
        },
    )


def _case_context(request: HttpRequest, report: Report, private: bytes) -> dict[str, Any]:
    organisation = report.organisation
    excluded = selectors.excluded_user_ids(report)
    choices = [(str(u.pk), u.get_full_name()) for u in selectors.readers(organisation) if u.pk not in excluded]
    files = []
    for attachment in report.attachments.all():
        meta = attachments.open_meta(private, bytes(attachment.sealed_meta))
        files.append({"pk": attachment.pk, **meta})
    answers = services.open_json(private, bytes(report.content))
    return {
        "report": report,
        "today": selectors.today_for(organisation),
        # Handlers see the reporter's exclusions by name, as the reporter did before sending.
        "rows": forms.summarise(answers, handler_names=dict(_handler_choices(organisation))),
        "thread": [
            {
                "from_handler": m.author_kind == m.Author.HANDLER,
                "author": m.author,
                "sent_on": m.sent_on,
                "body": crypto.unseal(private, bytes(m.body)).decode(),
            }
            for m in report.messages.select_related("author")
        ],
        "notes": [
            {"author": n.author, "created_at": n.created_at, "body": crypto.unseal(private, bytes(n.body)).decode()}
            for n in report.notes.select_related("author")
        ],
        "files": files,
        "excluded_count": len(excluded),
        "shares": list(report.shares.select_related("employer")),
        "status_form": forms.StatusForm(initial={"status": report.status, "outcome": report.outcome}),
        "assign_form": forms.AssignForm(choices=choices, initial={"assignee": report.assigned_to_id or ""}),
        "reply_form": forms.HandlerMessageForm(),
        "note_form": forms.NoteForm(),
    }


def _open(request: HttpRequest, report: Report) -> bytes | HttpResponse:
    handler_private = keys.handler_private_key(request)
    if handler_private is None:
        return render(
            request,
            "reporting/case_locked.html",
            {"report": report, "reset": bool(request.session.get(keys.LOCKED_FLAG))},
            status=403,
        )
    try:
        return services.open_case(report=report, user=request.user, handler_private=handler_private)
    except crypto.DecryptionError:
        return render(request, "reporting/case_locked.html", {"report": report, "no_key": True}, status=403)


def _sudo_redirect(request: HttpRequest, next_url: str = "") -> HttpResponse | None:
    """Ask for a fresh code before a case opens; checked after the case is found, so that
    people who may not see it get a plain 404 without being asked for anything."""
    if in_sudo_mode(request):
        return None
    return redirect(f"{reverse('accounts:sudo')}?{urlencode({'next': next_url or request.get_full_path()})}")


@never_cache
@role_required("is_case_handler")
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.get_case_for_user(request, pk)
    if (asked := _sudo_redirect(request)) is not None:
        return asked
    opened = _open(request, report)
    if isinstance(opened, HttpResponse):
        return opened
    return render(request, "reporting/case_detail.html", _case_context(request, report, opened))


def _case_action(view: Callable[[HttpRequest, Report], HttpResponse]) -> Callable[..., HttpResponse]:
    @require_POST
    @role_required("is_case_handler")
    @wraps(view)
    def wrapper(request: HttpRequest, pk: int) -> HttpResponse:
        report = selectors.get_case_for_user(request, pk)
        if not in_sudo_mode(request):
            messages.info(request, "Confirm it is you, then make the change again.")
            return _sudo_redirect(request, reverse("reporting:case_detail", args=[report.pk])) or _back(report)
        return view(request, report)

    return wrapper


def _back(report: Report) -> HttpResponse:
    return redirect("reporting:case_detail", report.pk)


@_case_action
def case_status(request: HttpRequest, report: Report) -> HttpResponse:
    form = forms.StatusForm(request.POST)
    if form.is_valid():
        services.change_status(
            report=report, user=request.user, status=form.cleaned_data["status"], outcome=form.cleaned_data["outcome"]
        )
        messages.success(request, "Status updated")
    else:
        messages.error(request, "; ".join(str(e) for errors in form.errors.values() for e in errors))
    return _back(report)


@_case_action
def case_assign(request: HttpRequest, report: Report) -> HttpResponse:
    excluded = selectors.excluded_user_ids(report)
    readers = {str(u.pk): u for u in selectors.readers(report.organisation) if u.pk not in excluded}
    form = forms.AssignForm(request.POST, choices=[(pk, u.get_full_name()) for pk, u in readers.items()])
    if form.is_valid():
        # Only someone who reads this organisation's reports and is not excluded can be chosen.
        assignee = readers.get(form.cleaned_data["assignee"]) if form.cleaned_data["assignee"] else None
        services.assign(report=report, user=request.user, assignee=assignee)
        messages.success(request, "Assignment saved")
    else:
        messages.error(request, "Choose someone who can handle this case")
    return _back(report)


@_case_action
def case_reply(request: HttpRequest, report: Report) -> HttpResponse:
    form = forms.HandlerMessageForm(request.POST)
    if form.is_valid():
        services.reply(report=report, user=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Message sent to the reporter")
    else:
        messages.error(request, "Write your message")
    return _back(report)


@_case_action
def case_note(request: HttpRequest, report: Report) -> HttpResponse:
    form = forms.NoteForm(request.POST)
    if form.is_valid():
        services.add_note(report=report, user=request.user, body=form.cleaned_data["body"])
        messages.success(request, "Note saved")
    else:
        messages.error(request, "Write your note")
    return _back(report)


@_case_action
def case_step_aside(request: HttpRequest, report: Report) -> HttpResponse:
    services.step_aside(report=report, user=request.user)
    messages.success(request, f"You have stepped aside from {report.reference}. You can no longer read it.")
    return redirect("reporting:case_list")


@never_cache
@role_required("is_case_handler")
def case_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> HttpResponse:
    report = selectors.get_case_for_user(request, pk)
    if (asked := _sudo_redirect(request)) is not None:
        return asked
    attachment: Attachment | None = report.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404
    opened = _open(request, report)
    if isinstance(opened, HttpResponse):
        return opened
    meta = attachments.open_meta(opened, bytes(attachment.sealed_meta))
    data = attachments.open_file(opened, attachment.storage_name)
    services.record_attachment_read(report=report, user=request.user, attachment=attachment)
    response = HttpResponse(data, content_type=str(meta["content_type"]))
    safe_name = "".join(ch for ch in str(meta["name"]) if ch.isalnum() or ch in "._- ")[:100] or "file"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["Cache-Control"] = "no-store"
    # The decorators expect HttpResponse; a streaming response serves the same purpose.
    return response  # type: ignore[return-value]


# ---------------------------------------------------------------- organisation settings


@never_cache
@role_required("is_coordinator", "is_case_handler")
@sudo_required
def reporting_settings(request: HttpRequest) -> HttpResponse:
    organisation = request.organisation  # type: ignore[attr-defined]
    org_settings = ReportingSettings.objects.filter(organisation=organisation).first()
    if org_settings is None:
        if request.method == "POST" and request.POST.get("action") == "enable":
            recovery_key = services.enable_reporting(
                organisation=organisation, actor=request.user, handler_private=keys.handler_private_key(request)
            )
            return render(request, "reporting/recovery_key.html", {"recovery_key": recovery_key})
        return render(request, "reporting/settings.html", {"org_settings": None})
    form = forms.SupportPagesForm(
        request.POST or None,
        initial={
            "recovery_key_holders": org_settings.recovery_key_holders,
            "who_to_talk_to": org_settings.who_to_talk_to,
            "employee_assistance": org_settings.employee_assistance,
            "helplines": org_settings.helplines,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.update_support_pages(org_settings=org_settings, actor=request.user, **form.cleaned_data)
        messages.success(request, "Support pages saved")
        return redirect("reporting:settings")
    return render(
        request,
        "reporting/settings.html",
        {
            "org_settings": org_settings,
            "form": form,
            "route": f"{settings.SITE_URL}{reverse('reporting:start', args=[organisation.slug])}",
            "handlers": selectors.handlers(organisation),
            "reader_ids": set(selectors.readers(organisation).values_list("pk", flat=True)),
            "waiting": selectors.waiting_for_access(organisation).exists(),
        },
    )


def _reporting_settings_or_404(request: HttpRequest) -> ReportingSettings:
    organisation = request.organisation  # type: ignore[attr-defined]
    org_settings = selectors.reporting_settings(organisation) if organisation is not None else None
    if org_settings is None:
        raise Http404
    return org_settings


@never_cache
@role_required("is_case_handler", "is_coordinator")
@sudo_required
def grant_access(request: HttpRequest) -> HttpResponse:
    """Give a case handler this organisation's reports: a handler who reads them re-seals
    the report keys they can open, or the holder of the recovery key gives every one."""
    org_settings = _reporting_settings_or_404(request)
    organisation = org_settings.organisation
    waiting = list(selectors.waiting_for_access(organisation))
    user: User = request.user  # type: ignore[assignment]
    is_reader = selectors.readers(organisation).filter(pk=user.pk).exists()
    form = forms.GrantAccessForm(
        _posted(request), handlers=[(str(u.pk), f"{u.get_full_name()} ({u.email})") for u in waiting if u != user]
    )
    if request.method == "POST" and form.is_valid():
        grantee = next(u for u in waiting if str(u.pk) == form.cleaned_data["handler"])
        recovery_private = form.cleaned_data["recovery_key"]
        own_private = keys.handler_private_key(request)
        try:
            if recovery_private is not None:
                count = services.grant_with_recovery_key(
                    organisation=organisation, recovery_private=recovery_private, user=grantee, actor=user
                )
                unreachable = 0
            elif not is_reader or own_private is None:
                form.add_error(
                    "recovery_key",
                    "You cannot open this organisation's reports in this session: enter the recovery key",
                )
                count = unreachable = 0
            else:
                count, unreachable = services.grant_access(
                    organisation=organisation, granter=user, granter_private=own_private, user=grantee
                )
        except crypto.DecryptionError:
            form.add_error("recovery_key", "The recovery key is not right for this organisation")
        except PermissionError as exc:
            form.add_error("handler", str(exc))
        if not form.errors:
            text = f"{grantee.get_full_name()} can now read reports here. Earlier reports given to them: {count}."
            if unreachable:
                text += f" {unreachable} you cannot open yourself need the recovery key."
            messages.success(request, text)
            return redirect("reporting:grant_access")
    return render(
        request,
        "reporting/grant_access.html",
        {"form": form, "waiting": waiting, "is_reader": is_reader, "org_settings": org_settings},
    )


@never_cache
@role_required("is_case_handler", "is_coordinator")
@sudo_required
def rotate_recovery_key(request: HttpRequest) -> HttpResponse:
    """Replace the recovery key: everything it protects is re-sealed to a new one, shown once."""
    org_settings = _reporting_settings_or_404(request)
    form = forms.RotateRecoveryKeyForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            new_key = services.rotate_recovery_key(
                organisation=org_settings.organisation,
                actor=request.user,
                recovery_private=form.cleaned_data["recovery_key"],
            )
        except crypto.DecryptionError:
            form.add_error("recovery_key", "The recovery key is not right for this organisation")
        else:
            return render(request, "reporting/recovery_key.html", {"recovery_key": new_key, "rotated": True})
    return render(
        request,
        "reporting/rotate_recovery_key.html",
        {"form": form, "org_settings": org_settings},
    )


@never_cache
@role_required("is_case_handler")
@sudo_required
def recover(request: HttpRequest) -> HttpResponse:
    """Unlock a handler key after a password reset, and give this handler the reports they
    lack a key for, with the organisation's recovery key."""
    organisation = request.organisation  # type: ignore[attr-defined]
    if selectors.reporting_settings(organisation) is None:
        raise Http404
    form = forms.RecoveryForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        user: User = request.user  # type: ignore[assignment]
        recovery_private = form.cleaned_data["recovery_key"]
        if not user.check_password(form.cleaned_data["password"]):
            form.add_error("password", "The password is not right")
        else:
            try:
                with transaction.atomic():
                    if keys.handler_private_key(request) is None:
                        private = services.recover_handler_key(
                            user=user,
                            organisation=organisation,
                            recovery_private=recovery_private,
                            password=form.cleaned_data["password"],
                        )
                        keys.Vault(request, keys.HANDLER).put(private)
                        request.session.pop(keys.LOCKED_FLAG, None)
                    count = services.grant_with_recovery_key(
                        organisation=organisation, recovery_private=recovery_private, user=user
                    )
            except crypto.DecryptionError:
                form.add_error("recovery_key", "The recovery key is not right for this organisation")
            else:
                messages.success(request, f"Your reporting key is unlocked. Reports newly opened to you: {count}.")
                return keys.apply_cookies(request, redirect("reporting:case_list"))
    return render(request, "reporting/recover.html", {"form": form})


# ---------------------------------------------------------------- statistics


@never_cache
@role_required("is_leader", "is_case_handler")
def statistics_page(request: HttpRequest) -> HttpResponse:
    """Suppressed counts for leaders (and handlers, who already see the cases): from the
    tally counters only, never from a report, with no link to any report."""
    organisation = request.organisation  # type: ignore[attr-defined]
    stats = statistics.statistics_for(organisation, selectors.today_for(organisation))
    table = stats.place_who
    rows = []
    column_totals = []
    if table is not None:
        rows = [
            {
                "label": r,
                "cells": [table.cells[r][c] for c in table.column_labels],
                "total": table.row_totals[r] if table.row_totals else None,
            }
            for r in table.row_labels
        ]
        column_totals = [(table.column_totals or {})[c] for c in table.column_labels]
    return render(
        request,
        "reporting/statistics.html",
        {
            "stats": stats,
            "footnote": suppression.footnote(stats.threshold),
            "withheld": statistics.WITHHELD,
            "place_who_rows": rows,
            "place_who_column_totals": column_totals,
            "one_way": stats.tables[1:],
        },
    )


@never_cache
@role_required("is_leader", "is_case_handler")
@sudo_required
def statistics_export(request: HttpRequest) -> HttpResponse:
    """The same suppressed tables as the page, as CSV, streamed."""
    organisation = request.organisation  # type: ignore[attr-defined]
    stats = statistics.statistics_for(organisation, selectors.today_for(organisation))
    services.record_statistics_export(organisation=organisation, user=request.user)
    response = StreamingHttpResponse(csv_lines(stats.csv_rows()), content_type="text/csv")
    response["Content-Disposition"] = (
        f'attachment; filename="reporting-statistics-{stats.first_month:%Y-%m}-to-{stats.last_month:%Y-%m}.csv"'
    )
    response["Cache-Control"] = "no-store"
    # The decorators expect HttpResponse; a streaming response serves the same purpose.
    return response  # type: ignore[return-value]


# ---------------------------------------------------------------- private records


def _put_record(request: HttpRequest, record: PrivateRecord, private: bytes) -> None:
    keys.Vault(request, keys.RECORD).put(json.dumps({"record": record.pk, "key": _b64(private)}).encode())


def _followed_record(request: HttpRequest) -> tuple[PrivateRecord, bytes] | None:
    raw = keys.Vault(request, keys.RECORD).get()
    if raw is None:
        return None
    data = json.loads(raw)
    record = PrivateRecord.objects.filter(pk=data["record"]).first()
    if record is None:
        return None
    return record, base64.b64decode(data["key"])


@reporter_page
def record_start(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    """Start a private record: saved under a new receipt, sent to nobody."""
    form = forms.RecordEntryForm(_posted(request))
    status = 200
    if request.method == "POST" and form.is_valid():
        address = ratelimit.client_address(request)
        limit = settings.RATE_LIMIT_REPORT_SUBMIT
        if ratelimit.hit("record-start", address, limit) > limit[0]:
            form.add_error(None, "Too many records have been started from this connection. Try again in an hour.")
            status = 429
        else:
            params = crypto.KdfParams.current()
            receipt = crypto.new_receipt()
            receipt_key = crypto.derive_key(receipt, bytes(org_settings.receipt_salt), params)
            record, private = services.start_record(
                organisation=organisation,
                text=form.cleaned_data["text"],
                happened_on=form.cleaned_data["happened_on"],
                receipt_key=receipt_key,
                receipt_kdf=params,
            )
            _put_record(request, record, private)
            return render(
                request,
                "reporting/record_saved.html",
                _reporter_context(organisation, org_settings, receipt=crypto.format_receipt(receipt)),
            )
    return render(
        request, "reporting/record_start.html", _reporter_context(organisation, org_settings, form=form), status=status
    )


@reporter_page
def record(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    """The reporter's private record: read it, add to it, send it as a report or delete it."""
    held = _followed_record(request)
    if held is None:
        return redirect("reporting:follow_up", organisation.slug)
    private_record, private = held
    form = forms.RecordEntryForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.add_to_record(
            record=private_record,
            text=form.cleaned_data["text"],
            happened_on=form.cleaned_data["happened_on"],
            today=selectors.today_for(organisation),
        )
        messages.success(request, "Added to your record")
        return redirect("reporting:record", organisation.slug)
    return _record_page(request, organisation, org_settings, private_record, private, form=form)


def _record_page(
    request: HttpRequest,
    organisation: Organisation,
    org_settings: ReportingSettings,
    private_record: PrivateRecord,
    private: bytes,
    *,
    form: forms.RecordEntryForm | None = None,
    file_form: forms.EvidenceForm | None = None,
    send_form: forms.RecordSendForm | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "reporting/record.html",
        _reporter_context(
            organisation,
            org_settings,
            form=form or forms.RecordEntryForm(),
            file_form=file_form or forms.EvidenceForm(),
            send_form=send_form
            or forms.RecordSendForm(
                initial={"send_to": str(organisation.pk)}, destinations=_record_destinations(organisation)
            ),
            entries=services.open_record(private_record, private),
            files=services.record_files(private_record, private),
            max_files=settings.REPORTING_MAX_ATTACHMENTS,
        ),
        status=status,
    )


@require_POST
@reporter_page
def record_file(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    """Add a file to the private record: checked, cleaned and sealed as a report's are."""
    held = _followed_record(request)
    if held is None:
        return redirect("reporting:follow_up", organisation.slug)
    private_record, private = held
    file_form = forms.EvidenceForm(request.POST, request.FILES)
    status = 200  # a form error is the page again with its error summary, like any form
    if file_form.is_valid():
        upload = file_form.cleaned_data.get("file")
        if upload is None:
            file_form.add_error("file", "Select a file to add")
        elif private_record.files.count() >= settings.REPORTING_MAX_ATTACHMENTS:
            file_form.add_error("file", f"You can add up to {settings.REPORTING_MAX_ATTACHMENTS} files")
        elif upload.size > settings.REPORTING_MAX_ATTACHMENT_BYTES:
            limit = settings.REPORTING_MAX_ATTACHMENT_BYTES // (1024 * 1024) or 1
            file_form.add_error("file", f"The selected file must be smaller than {limit} MB")
        elif refused := _upload_refused(
            request, upload, stored=_stored_bytes(services.record_files(private_record, private))
        ):
            file_form.add_error("file", refused[0])
            status = refused[1]
        else:
            try:
                clean = attachments.clean_upload(upload.name or "", upload.read())
            except attachments.AttachmentError as exc:
                file_form.add_error("file", str(exc))
            else:
                services.add_file_to_record(record=private_record, clean=clean, today=selectors.today_for(organisation))
                messages.success(request, f"{clean.name} added to your record")
                return redirect("reporting:record", organisation.slug)
    return _record_page(
        request, organisation, org_settings, private_record, private, file_form=file_form, status=status
    )


@reporter_page
def record_file_download(
    request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings, file_pk: int
) -> HttpResponse:
    """One of the record's files, opened with the key the receipt unlocked."""
    held = _followed_record(request)
    if held is None:
        return redirect("reporting:follow_up", organisation.slug)
    private_record, private = held
    stored = private_record.files.filter(pk=file_pk).first()
    if stored is None:
        raise Http404
    meta = attachments.open_meta(private, bytes(stored.sealed_meta))
    data = attachments.open_file(private, stored.storage_name)
    response = HttpResponse(data, content_type=str(meta["content_type"]))
    safe_name = "".join(ch for ch in str(meta["name"]) if ch.isalnum() or ch in "._- ")[:100] or "file"
    response["Content-Disposition"] = f'attachment; filename="{safe_name}"'
    response["Cache-Control"] = "no-store"
    return response


def _record_destinations(organisation: Organisation) -> list[tuple[str, str]]:
    """Where a record may be sent: the organisation whose page it was started on, or any
    union that receives reports through SaferWork. Names only."""
    unions = (
        ReportingSettings.objects.filter(
            enabled=True, organisation__kind=Organisation.Kind.UNION, organisation__status="active"
        )
        .exclude(organisation=organisation)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return [(str(organisation.pk), organisation.name), *((str(u.organisation.pk), u.organisation.name) for u in unions)]


@require_POST
@reporter_page
def record_send(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    """Start a report from the record: its words and dates fill the questions, the reporter
    answers the rest and sees exactly what handlers will see before sending."""
    held = _followed_record(request)
    if held is None:
        return redirect("reporting:follow_up", organisation.slug)
    private_record, private = held
    send_form = forms.RecordSendForm(request.POST, destinations=_record_destinations(organisation))
    if not send_form.is_valid():
        return _record_page(request, organisation, org_settings, private_record, private, send_form=send_form)
    # The form accepts only the destinations offered, so the lookup stays within them.
    destination = (
        ReportingSettings.objects.select_related("organisation")
        .get(organisation_id=int(send_form.cleaned_data["send_to"]), enabled=True)
        .organisation
    )
    entries = services.open_record(private_record, private)
    dates = sorted(e["date"].isoformat() for e in entries if e["date"])
    # What handlers will read: the reporter's words, with the day each thing happened where
    # they gave one. When they wrote it stays out (it says when they were keeping a record).
    description = "\n\n".join(f"{e['date']:%-d %B %Y}: {e['text']}" if e["date"] else e["text"] for e in entries)
    # The report is made on the chosen organisation's side, with its own keys.
    draft = _new_draft(destination)
    draft["record"] = private_record.pk
    # The record's files go with the report: copies sealed to the draft's new key.
    for name, meta, label, size in services.reseal_record_files(
        private_record, private, base64.b64decode(draft["pub"])
    ):
        draft["files"].append({"storage": name, "meta": _b64(meta), "label": label, "size": size})
    draft["answers"]["what-happened"] = {"behaviours": [], "description": description[: forms.TEXT_LIMIT]}
    if dates:
        draft["answers"]["when"] = {"first_date": dates[0], "last_date": dates[-1]}
    _save_draft(request, draft)
    return redirect(_step_url(destination, ORDER[0]))


@reporter_page
def record_delete(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    held = _followed_record(request)
    if held is None:
        return redirect("reporting:follow_up", organisation.slug)
    form = forms.DeleteRecordForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        services.delete_record(record=held[0])
        keys.Vault(request, keys.RECORD).clear()
        return render(request, "reporting/record_deleted.html", _reporter_context(organisation, org_settings))
    return render(request, "reporting/record_delete.html", _reporter_context(organisation, org_settings, form=form))


# ---------------------------------------------------------------- union-held reports


def _employer_routes() -> dict[str, ReportingSettings]:
    """Employers that receive reports through SaferWork, by organisation id."""
    found = (
        ReportingSettings.objects.filter(
            enabled=True, organisation__kind=Organisation.Kind.EMPLOYER, organisation__status="active"
        )
        .select_related("organisation")
        .order_by("organisation__name")
    )
    return {str(s.organisation.pk): s for s in found}


@WASM
@reporter_page
def follow_up_share(request: HttpRequest, organisation: Organisation, org_settings: ReportingSettings) -> HttpResponse:
    """Share chosen parts of a union-held report with the employer, after a preview.

    Nothing reaches the employer until the reporter presses "Send to my employer" on the
    preview, which shows exactly what the employer's handlers will see."""
    followed = _followed_report(request, organisation)
    if followed is None:
        return redirect("reporting:follow_up", organisation.slug)
    if organisation.kind != Organisation.Kind.UNION:
        raise Http404
    report, private = followed
    employers = _employer_routes()
    posted = request.method == "POST"
    form = forms.ShareForm(
        request.POST if posted else None,
        employers=[(pk, s.organisation.name) for pk, s in employers.items()],
    )
    if not (posted and form.is_valid()):
        return render(request, "reporting/share.html", _reporter_context(organisation, org_settings, form=form))
    employer_settings = employers[form.cleaned_data["employer"]]
    employer = employer_settings.organisation
    answers = services.open_json(private, bytes(report.content))
    parts = [step for step in form.cleaned_data["parts"] if step in answers]
    shared = {step: answers[step] for step in parts}
    sending = request.POST.get("action") == "send"
    exclude_form = forms.ShareExcludeForm(
        request.POST if sending else None,
        handlers=_handler_choices(employer),
        recovery_holders=selectors.recovery_key_holders(employer_settings),
    )
    submit_form = forms.SubmitForm(request.POST if sending else None)
    status = 200

    def preview(submit: forms.SubmitForm, status: int) -> HttpResponse:
        """The preview again: exactly what the employer's handlers will see."""
        return render(
            request,
            "reporting/share_preview.html",
            _reporter_context(
                organisation,
                org_settings,
                form=form,
                employer=employer,
                exclude_form=exclude_form,
                submit_form=submit,
                rows=[row for row in forms.summarise(shared) if row["step"] in parts],
                kdf=crypto.KdfParams.current(),
                salt=bytes(employer_settings.receipt_salt).hex(),
            ),
            status=status,
        )

    if sending and exclude_form.is_valid():
        readers = {str(pk) for pk in selectors.readers(employer).values_list("pk", flat=True)}
        if readers <= set(exclude_form.cleaned_data["excluded"]):
            exclude_form.add_error(
                "excluded" if readers else None,
                f"Nobody at {employer.name} could read it: leave at least one person unselected"
                if readers
                else f"Nobody at {employer.name} can receive reports yet. Nothing has been sent",
            )
    if sending and exclude_form.is_valid() and submit_form.is_valid():
        address = ratelimit.client_address(request)
        limit = settings.RATE_LIMIT_REPORT_SUBMIT
        if ratelimit.hit("report-submit", address, limit) > limit[0]:
            exclude_form.add_error(None, "Too many reports have been sent from this connection. Try again in an hour.")
            status = 429
        else:
            params = crypto.KdfParams.current()
            pair = _receipt_pair(submit_form.cleaned_data["client"], employer_settings, params)
            if pair is None:
                exclude_form.add_error(None, "Your report could not be sent securely. Nothing was sent: try again.")
                return preview(forms.SubmitForm(), 200)
            receipt, receipt_key = pair
            public, new_private = crypto.new_keypair()
            excluded = list(exclude_form.cleaned_data["excluded"])
            submission = services.Submission(
                answers={**shared, forms.ExcludeForm.step: {"excluded": excluded}},
                public_key=public,
                private_key=new_private,
                excluded_user_ids=[int(pk) for pk in excluded],
                is_named=shared.get(forms.IdentityForm.step, {}).get("named") == "yes",
            )
            new_report = services.share_with_employer(
                report=report,
                employer=employer,
                parts=parts,
                submission=submission,
                receipt_key=receipt_key,
                receipt_kdf=params,
            )
            return render(
                request,
                "reporting/shared.html",
                _reporter_context(
                    organisation,
                    org_settings,
                    employer=employer,
                    receipt=crypto.format_receipt(receipt),
                    ack_by=new_report.acknowledge_by,
                ),
            )
    return preview(submit_form, status)
