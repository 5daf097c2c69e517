"""Pages of the review site: the findings list, a finding with its evidence, verdicts, and the evidence viewer."""

from __future__ import annotations

import json
import re
from datetime import date, datetime

from flask import Blueprint, Response, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import login_required

from alerts.compose import explanation
from alerts.portal_links import portal_links
from alerts.presentation import finding_evidence_rows, finding_facts, finding_reasons
from alerts.subject import describe
from service.web import queries
from service.web.auth import viewer_for
from storage.evidence import EvidenceError
from storage.models import Finding
from storage.reviews import VERDICTS, record_review

bp = Blueprint("views", __name__)

NOTE_MAX_CHARS = 2000
VIEW_MAX_BYTES = 300_000
_SHA_RE = re.compile(r"^[0-9a-f]{64}$")
_DMY_RE = re.compile(r"^\s*(\d{1,2})/(\d{1,2})/(\d{4})\s*$")


def parse_day(text: str | None) -> date | None:
    """dd/mm/yyyy (or yyyy-mm-dd); ValueError when it is neither."""
    text = (text or "").strip()
    if not text:
        return None
    m = _DMY_RE.match(text)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return date.fromisoformat(text)


def read_filters(options: dict) -> tuple[queries.Filters, list[str]]:
    """The list's filters from the query string; unknown choices are dropped, bad dates reported."""
    args, errors = request.args, []
    rules = {f"{d}.{r}" for d, r in options["rules"]} | {d for d, _ in options["rules"]}
    f = queries.Filters(
        rule=args.get("rule", "") if args.get("rule", "") in rules else "",
        province=args.get("province", "") if args.get("province", "") in options["provinces"] else "",
        owner=args.get("owner", "").strip()[:200],
        organisation=args.get("organisation", "").strip()[:200],
        status=args.get("status", "") if args.get("status", "") in queries.STATUSES else "",
        verdict=args.get("verdict", "") if args.get("verdict", "") in queries.VERDICT_FILTERS else "",
        severity=args.get("severity", "") if args.get("severity", "") in queries.SEVERITIES else "",
    )
    for attr, name, label in (("date_from", "from", "Từ ngày"), ("date_to", "to", "Đến ngày")):
        try:
            setattr(f, attr, parse_day(args.get(name)))
        except ValueError:
            errors.append(f"{label}: cần một ngày dạng dd/mm/yyyy.")
    return f, errors


@bp.route("/")
@login_required
def index():
    return redirect(url_for("views.findings"))


@bp.route("/findings")
@login_required
def findings():
    options = queries.filter_options(g.db)
    filters, errors = read_filters(options)
    page_no = request.args.get("page", "1")
    page = queries.findings_page(g.db, filters, int(page_no) if page_no.isdigit() else 1,
                                 current_app.config["AM_SETTINGS"].web.page_size)
    keep = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template("findings.html", page=page, filters=filters, options=options, errors=errors,
                           keep=keep, date_from=request.args.get("from", ""), date_to=request.args.get("to", ""))


def _finding_or_404(finding_id: int) -> Finding:
    finding = g.db.get(Finding, finding_id)
    if finding is None:
        abort(404)
    return finding


def _viewer_or_deny(finding_id: int):
    viewer = viewer_for(finding_id)
    if viewer is None:
        if request.method == "GET":
            return None, redirect(url_for("auth.login", next=request.path))
        abort(403)
    return viewer, None


@bp.route("/findings/<int:finding_id>")
def finding(finding_id: int):
    viewer, deny = _viewer_or_deny(finding_id)
    if deny is not None:
        return deny
    f = _finding_or_404(finding_id)
    records = [queries.record_view(g.db, kind, key) for kind, key in queries.subject_records(f)]
    reviews = sorted(f.reviews, key=lambda r: (r.created_at, r.id), reverse=True)
    mine = next((r for r in reviews if r.reviewer == viewer.identity), None)
    subject = describe(g.db, f)
    return render_template(
        "finding.html", f=f, viewer=viewer, rows=finding_evidence_rows(f), records=records,
        facts=finding_facts(f), reasons=finding_reasons(f) if f.status == "insufficient" else [],
        portal_links=portal_links(f.urls), explanation=explanation(f.detector),
        organisation=subject.organisation, asset=subject.asset, lot_texts=subject.lot_texts,
        related=queries.related_findings(g.db, f, records) if viewer.kind == "analyst" else None,
        evidence_digests=queries.evidence_digests(f), reviews=reviews, mine=mine, verdicts=VERDICTS)


@bp.route("/findings/<int:finding_id>/verdict", methods=["POST"])
def verdict(finding_id: int):
    viewer, _ = _viewer_or_deny(finding_id)
    _finding_or_404(finding_id)
    choice = request.form.get("verdict", "")
    if choice not in VERDICTS:
        flash("Hãy chọn một kết luận.")
        return redirect(url_for("views.finding", finding_id=finding_id))
    note = (request.form.get("note") or "").strip()[:NOTE_MAX_CHARS]
    record_review(g.db, finding_id, choice, note=note, reviewer=viewer.identity,
                  via="web" if viewer.kind == "analyst" else "link")
    g.db.commit()
    current_app.logger.info("verdict %s on finding %s by %s", choice, finding_id, viewer.identity)
    flash("Đã ghi nhận kết luận của bạn.")
    return redirect(url_for("views.finding", finding_id=finding_id) + "#ket-luan")


def _allowed_blob(finding_id: int, digest: str) -> Finding:
    if not _SHA_RE.match(digest):
        abort(404)
    f = _finding_or_404(finding_id)
    records = [queries.record_view(g.db, kind, key) for kind, key in queries.subject_records(f)]
    if digest not in queries.allowed_digests(f, records):
        abort(404)
    return f


def _verify(digest: str) -> tuple[bytes | None, str]:
    """The blob and the outcome of re-hashing it: ok | missing | mismatch (no server path ever leaves here)."""
    store = current_app.config["AM_EVIDENCE"]
    if not store.exists(digest):
        return None, "missing"
    try:
        return store.get(digest), "ok"
    except EvidenceError:
        return None, "mismatch"


def _readable(data: bytes, content_type: str | None) -> str:
    """Stored bytes as text to read: JSON indented, everything else decoded as UTF-8 (shown, never rendered)."""
    text = data[:VIEW_MAX_BYTES].decode("utf-8", errors="replace")
    if (content_type or "").startswith("application/json") or text.lstrip().startswith(("{", "[")):
        try:
            return json.dumps(json.loads(data.decode("utf-8")), ensure_ascii=False, indent=2)[:VIEW_MAX_BYTES]
        except (ValueError, UnicodeDecodeError):
            pass
    return text


@bp.route("/findings/<int:finding_id>/evidence/<digest>")
def evidence(finding_id: int, digest: str):
    viewer, deny = _viewer_or_deny(finding_id)
    if deny is not None:
        return deny
    f = _allowed_blob(finding_id, digest)
    response, attachment = queries.describe_digest(g.db, digest)
    data, outcome = _verify(digest)
    binary = attachment is not None and not (attachment.content_type or "").startswith(("text/", "application/json"))
    content = None
    if data is not None:
        content = (attachment.text or "") if binary else _readable(data, response.content_type if response else None)
    return render_template("evidence.html", f=f, viewer=viewer, digest=digest, response=response,
                           attachment=attachment, outcome=outcome, content=content, binary=binary,
                           size=len(data) if data is not None else None, truncated=bool(
                               data is not None and not binary and len(data) > VIEW_MAX_BYTES),
                           checked_at=datetime.now().astimezone())


@bp.route("/findings/<int:finding_id>/evidence/<digest>/download")
def evidence_download(finding_id: int, digest: str):
    viewer, deny = _viewer_or_deny(finding_id)
    if deny is not None:
        return deny
    _allowed_blob(finding_id, digest)
    data, _ = _verify(digest)
    if data is None:
        abort(404)
    _, attachment = queries.describe_digest(g.db, digest)
    ext = (attachment.file_name.rpartition(".")[2].lower() if attachment and "." in attachment.file_name else "")
    ext = ext if re.fullmatch(r"[a-z0-9]{1,5}", ext) else "bin"
    return Response(data, mimetype="application/octet-stream",
                    headers={"Content-Disposition": f'attachment; filename="{digest[:16]}.{ext}"'})

