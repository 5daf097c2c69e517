"""The review site (`auction-monitor serve`): a Flask application over the monitor's database.

Officers open a finding from the signed link in their e-mail; analysts log in. Every page needs one or the other,
every form carries a CSRF token (Flask-WTF), every template autoescapes, and the pages load nothing from outside.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from flask import Flask, g, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect

from service.context import AppContext
from storage.db import session_factory

HERE = Path(__file__).parent
SECURITY_HEADERS = {
    # No script at all; styles and images only from this site; forms only post here; never framed.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def create_app(ctx: AppContext, *, secret_key: str | None = None) -> Flask:
    """The WSGI application. The secret comes from the environment variable named by ``web.secret_key_env``
    unless given (tests)."""
    from service.web import auth, formatting, views

    web = ctx.settings.web
    secret = secret_key or web.secret_key()
    app = Flask(__name__, template_folder=str(HERE / "templates"), static_folder=str(HERE / "static"))
    app.config.update(
        SECRET_KEY=secret,
        SESSION_COOKIE_NAME="am_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=web.public_base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=web.session_lifetime_hours),
        REMEMBER_COOKIE_DURATION=timedelta(0),
        WTF_CSRF_TIME_LIMIT=web.session_lifetime_hours * 3600,
        MAX_CONTENT_LENGTH=64 * 1024,
        AM_SETTINGS=ctx.settings,
        AM_EVIDENCE=ctx.evidence,
        AM_LINK_SECRET=secret,
        AM_LINK_MAX_AGE=web.link_lifetime_days * 86400,
    )
    if web.proxy_hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=web.proxy_hops, x_proto=web.proxy_hops, x_host=web.proxy_hops)
    make_session = session_factory(ctx.db_url)

    @app.before_request  # first, so that the CSRF check's error page can still read the user
    def _open_session() -> None:
        g.db = make_session()

    CSRFProtect(app)
    auth.login_manager.init_app(app)
    formatting.register(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(views.bp)
    @app.teardown_request
    def _close_session(_exc) -> None:
        db = g.pop("db", None)
        if db is not None:
            db.rollback()
            db.close()

    @app.after_request
    def _headers(response):
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if response.mimetype == "text/css":
            response.headers["Cache-Control"] = "max-age=3600"
        return response

    def _error(code: int, title: str, message: str):
        return lambda _e: (render_template("error.html", title=title, message=message), code)

    app.register_error_handler(CSRFError, _error(400, "Phiên làm việc đã hết hạn",
                                                 "Biểu mẫu đã hết hạn hoặc không hợp lệ. Hãy tải lại trang và thử lại."))
    app.register_error_handler(400, _error(400, "Yêu cầu không hợp lệ", "Yêu cầu không hợp lệ."))
    app.register_error_handler(403, _error(403, "Không có quyền truy cập",
                                           "Bạn cần đăng nhập hoặc dùng liên kết còn hiệu lực trong thư."))
    app.register_error_handler(404, _error(404, "Không tìm thấy", "Không tìm thấy trang này."))
    app.register_error_handler(405, _error(405, "Không được phép", "Thao tác này không được phép."))
    app.register_error_handler(413, _error(413, "Nội dung quá lớn", "Nội dung gửi lên quá lớn."))
    app.register_error_handler(500, _error(500, "Lỗi hệ thống", "Đã có lỗi. Hãy thử lại sau hoặc báo người vận hành."))
    return app
