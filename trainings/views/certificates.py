"""Certificates: the participant's download, the coordinators' revoke and re-issue, and the
public verification page that anyone may open without logging in."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from portal import permissions as portal_permissions
from portal import throttle
from portal.forms import add_service_error_messages
from portal.tokens import client_ip

from .. import certificate_pdf, codes, selectors, services
from ..forms import CertificateCodeForm, CertificateRevokeForm

coordinator_required = portal_permissions.role_required(portal_permissions.is_coordinator)

# Unknown codes per client address before the page refuses for a while.
GUESSES = throttle.GuessLimit(scope="certificate", max_misses=20, window_seconds=15 * 60)


def verify_url(code: str) -> str:
    """The absolute address of a certificate's public page, as printed on it."""
    path = reverse("certificates:verify", kwargs={"code": codes.grouped(code)})
    return f"{settings.PORTAL_BASE_URL}{path}"


@login_required
def download(request, enrolment_id: int):
    """The participant's own certificate as a PDF, issued on the first download."""
    enrolment = selectors.own_enrolment_for_certificate(
        user=request.user, enrolment_id=enrolment_id
    )
    if enrolment is None:
        raise Http404
    try:
        certificate = services.certificate_get_or_issue(
            enrolment=enrolment, participant=request.user
        )
    except ValidationError as error:
        add_service_error_messages(request, error)
        return redirect("trainings:run_detail", run_id=enrolment.run_id)
    pdf = certificate_pdf.render(certificate, verify_url=verify_url(certificate.code))
    response = HttpResponse(pdf, content_type="application/pdf")
    filename = f"certificaat-{codes.grouped(certificate.code)}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


@coordinator_required
def revoke(request, certificate_id: int):
    certificate = selectors.managed_certificate(user=request.user, certificate_id=certificate_id)
    if certificate is None or certificate.is_revoked:
        raise Http404
    form = CertificateRevokeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.certificate_revoke(
                certificate=certificate, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            add_service_error_messages(request, error)
        else:
            messages.success(request, _("Het certificaat is ingetrokken."))
        return redirect("trainings:register", run_id=certificate.enrolment.run_id)
    return render(
        request,
        "trainings/certificate_revoke.html",
        {"certificate": certificate, "form": form, "code": codes.grouped(certificate.code)},
    )


@require_POST
@coordinator_required
def reissue(request, enrolment_id: int):
    enrolment = selectors.managed_enrolment(user=request.user, enrolment_id=enrolment_id)
    if enrolment is None:
        raise Http404
    try:
        services.certificate_reissue(enrolment=enrolment, actor=request.user)
    except ValidationError as error:
        add_service_error_messages(request, error)
    else:
        messages.success(request, _("Er is een nieuw certificaat uitgegeven, met een nieuwe code."))
    return redirect("trainings:register", run_id=enrolment.run_id)


def _noindex(response):
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _throttled(request):
    return _noindex(
        render(request, "trainings/certificate_verify.html", {"throttled": True}, status=429)
    )


@never_cache
def verify_form(request):
    """Type a code; a well-formed one goes to its page."""
    form = CertificateCodeForm(request.GET or None)
    if form.is_valid():
        return redirect("certificates:verify", code=codes.grouped(form.cleaned_data["code"]))
    return _noindex(render(request, "trainings/certificate_verify.html", {"form": form}))


@never_cache
def verify(request, code: str):
    """Name, training, dates and issuer of the certificate with this code, and nothing else."""
    address = client_ip(request)
    if throttle.guesses_exhausted(limit=GUESSES, address=address):
        return _throttled(request)
    normalised = codes.normalise(code)
    if normalised is not None and code != codes.grouped(normalised):
        return redirect("certificates:verify", code=codes.grouped(normalised))
    certificate = selectors.certificate_by_code(typed=code) if normalised else None
    if certificate is None:
        throttle.guess_missed(limit=GUESSES, address=address)
        form = CertificateCodeForm(initial={"code": code[:40]})
        return _noindex(
            render(
                request,
                "trainings/certificate_verify.html",
                {"form": form, "not_found": True},
                status=404,
            )
        )
    return _noindex(
        render(
            request,
            "trainings/certificate_verify.html",
            {"certificate": certificate, "code": codes.grouped(certificate.code)},
        )
    )
