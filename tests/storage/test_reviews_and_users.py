"""Verdicts: one per reviewer and finding (the CLI used to add duplicates), the migration that removes the old
duplicates, `review-report` reading the result; analyst accounts from the CLI with the password from stdin."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from service.cli import app
from storage.db import dispose_engines, get_engine, upgrade
from storage.models import Finding, Review, User
from storage.reviews import latest_verdicts, precision_by_rule, record_review
from storage.users import UserError, add_user, verify_login

T0 = datetime(2026, 6, 1, tzinfo=timezone.utc)


def _finding(session, n: int = 1) -> int:
    f = Finding(fingerprint=f"fp{n}", detector="premature_scoring", rule="short_window", subject_kind="selection_notice",
                subject_id=str(n), status="flag", severity="medium", evidence={}, evidence_hash="h", urls=[],
                first_seen=T0, last_seen=T0)
    session.add(f)
    session.flush()
    return f.id


def test_a_reviewers_second_verdict_replaces_the_first(app_ctx):
    with app_ctx.session() as s:
        fid = _finding(s)
        record_review(s, fid, "confirmed", reviewer="an", note="a")
        record_review(s, fid, "false-positive", reviewer="an", note="b")
        record_review(s, fid, "needs_more_info", reviewer="binh")
        record_review(s, fid, "confirmed")
        record_review(s, fid, "confirmed")  # no reviewer: one anonymous verdict, replaced too
        rows = s.scalars(select(Review).order_by(Review.reviewer)).all()
        assert sorted((r.reviewer or "", r.verdict, r.note or "") for r in rows) == [
            ("", "confirmed", ""), ("an", "false_positive", "b"), ("binh", "needs_more_info", "")]
        assert latest_verdicts(s) == {fid: "confirmed"}
        with pytest.raises(ValueError):
            record_review(s, fid, "maybe", reviewer="an")
        with pytest.raises(LookupError):
            record_review(s, 999, "confirmed", reviewer="an")


def test_migration_0004_keeps_each_reviewers_latest_verdict(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.sqlite'}"
    upgrade(url, "0002")
    with get_engine(url).begin() as conn:
        conn.execute(text("INSERT INTO findings (id, fingerprint, detector, rule, subject_kind, subject_id, status, "
                          "severity, evidence, evidence_hash, urls, first_seen, last_seen) VALUES (1, 'f', 'd', 'r', "
                          "'k', '1', 'flag', 'low', '{}', 'h', '[]', '2026-06-01', '2026-06-01')"))
        for i, (reviewer, verdict) in enumerate([("an", "confirmed"), ("an", "false_positive"), (None, "confirmed"),
                                                 (None, "needs_more_info"), ("binh", "confirmed")], start=1):
            conn.execute(text("INSERT INTO reviews (id, finding_id, verdict, reviewer, created_at) "
                              "VALUES (:i, 1, :v, :r, '2026-06-0' || :i)"), {"i": i, "v": verdict, "r": reviewer})
    upgrade(url)
    with get_engine(url).connect() as conn:
        rows = conn.execute(text("SELECT reviewer, verdict FROM reviews ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("an", "false_positive"), (None, "needs_more_info"), ("binh", "confirmed")]
    dispose_engines()


def test_cli_review_twice_counts_once_in_review_report(tmp_path):
    db = str(tmp_path / "r.sqlite")
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "db", "upgrade"]).exit_code == 0
    from storage.db import session_scope

    with session_scope(db) as s:
        fid = _finding(s)
    for verdict in ("confirmed", "false_positive", "confirmed"):
        res = runner.invoke(app, ["--db", db, "review", str(fid), "--verdict", verdict, "--reviewer", "an"])
        assert res.exit_code == 0, res.output
    report = runner.invoke(app, ["--db", db, "review-report"]).output
    row = next(json.loads(x) for x in report.splitlines() if x.startswith('{"detector"'))
    assert (row["reviewed"], row["confirmed"], row["false_positive"]) == (1, 1, 0)
    with session_scope(db) as s:
        assert precision_by_rule(s)[0]["precision"] == 1.0
        assert [r.via for r in s.scalars(select(Review))] == ["cli"]


def test_users_from_the_cli_read_the_password_from_stdin_and_never_store_it(tmp_path):
    db = str(tmp_path / "u.sqlite")
    runner = CliRunner()
    assert runner.invoke(app, ["--db", db, "users", "list"]).exit_code == 2  # no database yet: not created
    assert runner.invoke(app, ["--db", db, "db", "upgrade"]).exit_code == 0
    res = runner.invoke(app, ["--db", db, "users", "add", "lan.nguyen"], input="một mật khẩu dài\n")
    assert res.exit_code == 0, res.output
    assert runner.invoke(app, ["--db", db, "users", "add", "lan.nguyen"], input="một mật khẩu dài\n").exit_code == 2
    assert runner.invoke(app, ["--db", db, "users", "add", "x y"], input="một mật khẩu dài\n").exit_code == 2
    short = runner.invoke(app, ["--db", db, "users", "add", "minh"], input="ngắn\n")
    assert short.exit_code == 2 and "at least" in short.output
    listing = runner.invoke(app, ["--db", db, "users", "list"]).output
    assert "lan.nguyen\tactive" in listing and "mật khẩu" not in listing
    from storage.db import session_scope

    with session_scope(db) as s:
        user = s.scalars(select(User)).one()
        assert "một mật khẩu dài" not in user.password_hash and user.password_hash.startswith(("scrypt:", "pbkdf2:"))
        assert verify_login(s, "lan.nguyen", "một mật khẩu dài") is not None
        assert verify_login(s, "lan.nguyen", "sai") is None
        with pytest.raises(UserError):
            add_user(s, "lan.nguyen", "một mật khẩu dài")
    assert runner.invoke(app, ["--db", db, "users", "passwd", "lan.nguyen"], input="mật khẩu mới thứ hai\n").exit_code == 0
    assert runner.invoke(app, ["--db", db, "users", "disable", "lan.nguyen"]).exit_code == 0
    with session_scope(db) as s:
        assert verify_login(s, "lan.nguyen", "mật khẩu mới thứ hai") is None
