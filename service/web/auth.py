"""Who may see what on the review site: analyst logins (Flask-Login) and per-recipient signed finding links."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user

from alerts.links import LinkError, read_finding_token
from storage.models import User
from storage.users import verify_login

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
MAX_LINK_GRANTS = 20


class Analyst(UserMixin):
    """A logged-in analyst. The session id carries the password-change time, so changing a password (or
    disabling the account) ends every session of that account."""

    def __init__(self, user: User) -> None:
        self.name = user.name
        self.id = f"{user.id}:{round(user.password_changed_at.timestamp() * 1_000_000)}"

    def get_id(self) -> str:
        return self.id


@dataclass(frozen=True)
class Viewer:
    """Who is looking at a finding: an analyst (by account name) or an e-mail recipient (by address)."""

    identity: str
    kind: str  # analyst | link


@login_manager.user_loader
def _load(user_id: str) -> Analyst | None:
    uid, _, stamp = user_id.partition(":")
    if not uid.isdigit():
        return None
    user = g.db.get(User, int(uid))
    if user is None or not user.active or str(round(user.password_changed_at.timestamp() * 1_000_000)) != stamp:
        return None
    return Analyst(user)


@login_manager.unauthorized_handler
def _unauthorized():
    if request.method != "GET":
        abort(403)
    return redirect(url_for("auth.login", next=request.full_path if request.query_string else request.path))


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never another host) is followed after login."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return url_for("views.findings")
    parts = urlsplit(target)
    return url_for("views.findings") if parts.scheme or parts.netloc else target


def known_recipients() -> set[str]:
    """Addresses that may use finding links: the monitor and the configured recipients (removing a recipient
    from the configuration revokes their links)."""
    alerts = current_app.config["AM_SETTINGS"].alerts
    return {alerts.monitor.email.lower(), *(r.email.lower() for r in alerts.recipients)}


def link_viewer(finding_id: int) -> Viewer | None:
    """The recipient whose still-valid link in this browser session opens ``finding_id``."""
    secret, max_age = current_app.config["AM_LINK_SECRET"], current_app.config["AM_LINK_MAX_AGE"]
    for token in session.get("links", []):
        try:
            grant = read_finding_token(secret, token, max_age)
        except LinkError:
            continue
        if grant.finding_id == finding_id and grant.recipient in known_recipients():
            return Viewer(grant.recipient, "link")
    return None


def viewer_for(finding_id: int) -> Viewer | None:
    if current_user.is_authenticated:
        return Viewer(current_user.name, "analyst")
    return link_viewer(finding_id)


@bp.route("/l/<token>")
def link(token: str):
    """A recipient's link: remember it in the session, then show the finding (the token leaves the address bar)."""
    try:
        grant = read_finding_token(current_app.config["AM_LINK_SECRET"], token, current_app.config["AM_LINK_MAX_AGE"])
    except LinkError as exc:
        current_app.logger.info("refused a finding link: %s", exc)
        return render_template("error.html", title="Liên kết không dùng được",
                               message="Liên kết không hợp lệ hoặc đã hết hạn. Hãy dùng liên kết trong thư mới nhất "
                                       "hoặc đăng nhập."), 403
    if grant.recipient not in known_recipients():
        return render_template("error.html", title="Liên kết không dùng được",
                               message="Địa chỉ nhận thư này không còn trong danh sách người nhận."), 403
    tokens = [t for t in session.get("links", []) if t != token]
    session["links"] = (tokens + [token])[-MAX_LINK_GRANTS:]
    session.permanent = True
    return redirect(url_for("views.finding", finding_id=grant.finding_id))


@bp.route("/login", methods=["GET", "POST"])
def login():
    error = None
    if request.method == "POST":
        name = (request.form.get("name") or "").strip()
        user = verify_login(g.db, name, request.form.get("password") or "")
        if user is not None:
            links = session.get("links", [])
            session.clear()  # a fresh session on login
            if links:
                session["links"] = links
            session.permanent = True
            login_user(Analyst(user))
            current_app.logger.info("analyst %s logged in", user.name)
            return redirect(_safe_next(request.form.get("next")))
        current_app.logger.info("failed login for %r", name[:100])
        error = "Tên đăng nhập hoặc mật khẩu không đúng."
    return render_template("login.html", error=error, next=_safe_next(request.values.get("next"))), \
        (401 if error else 200)


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash("Đã đăng xuất.")
    return redirect(url_for("auth.login"))
