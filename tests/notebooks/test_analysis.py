"""The analyst helpers of the ``analysis`` package on a small made-up database (``analysis_db``): crawl coverage, findings
and reviews, thresholds and settings trials, owners and organisations, one notice's timeline, parcel completeness,
and the plotting helpers."""

from __future__ import annotations

import sqlite3
from datetime import date, datetime, timedelta
from pathlib import Path

import matplotlib
import pandas as pd
import pytest
from sqlalchemy import func, select

matplotlib.use("Agg")

import analysis_db  # noqa: E402
from analysis_db import DETECTED_AT, ORG_X, ORG_Y, OWNER_P, OWNER_Q, OWNER_T  # noqa: E402

import analysis as an  # noqa: E402
from storage.db import session_scope  # noqa: E402
from storage.evidence import EvidenceStore  # noqa: E402
from storage.models import Attachment, Finding, RecordLink, Review  # noqa: E402
from storage.timeutil import VN_TZ  # noqa: E402


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> analysis_db.AnalysisDb:
    return analysis_db.build(tmp_path_factory.mktemp("analysis"))


@pytest.fixture(scope="module")
def url(built) -> str:
    return built.url


@pytest.fixture
def writable(built, tmp_path) -> str:
    """A private copy of the database for tests that write."""
    target = tmp_path / "copy.sqlite"
    source = sqlite3.connect(built.url.removeprefix("sqlite:///"))
    copy = sqlite3.connect(target)
    with copy:
        source.backup(copy)  # the WAL's content too, unlike a file copy
    source.close()
    copy.close()
    return f"sqlite:///{target}"


def open_findings_in_db(url: str, detector: str | None = None) -> list[Finding]:
    with session_scope(url) as s:
        q = select(Finding).where(Finding.resolved_at.is_(None))
        if detector:
            q = q.where(Finding.detector == detector)
        return list(s.scalars(q))


# ------------------------------------------------------------------------------------------------ common


def test_session_for_accepts_url_or_session(url):
    with session_scope(url) as s:
        with an.session_for(s) as same:
            assert same is s
    with an.session_for(url) as opened:
        assert opened.scalar(select(func.count(Finding.id))) > 0


def test_session_for_rejects_other_values():
    with pytest.raises(TypeError):
        with an.session_for(42):  # type: ignore[arg-type]
            pass


def test_resolve_db_url_finds_a_relative_sqlite_file_from_a_parent(tmp_path, monkeypatch):
    (tmp_path / "demo-output").mkdir()
    (tmp_path / "demo-output" / "demo.sqlite").write_bytes(b"")
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path / "notebooks")
    resolved = an.resolve_db_url("sqlite:///demo-output/demo.sqlite")
    assert resolved == f"sqlite:///{(tmp_path / 'demo-output' / 'demo.sqlite').resolve()}"


def test_resolve_db_url_refuses_a_missing_file_without_creating_it(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FileNotFoundError, match="AUCTION_MONITOR_DB"):
        an.resolve_db_url("sqlite:///nowhere/demo.sqlite")
    assert not (tmp_path / "nowhere").exists()


def test_resolve_db_url_leaves_server_urls_alone():
    assert an.resolve_db_url("postgresql://u:p@127.0.0.1/x") == "postgresql+psycopg://u:p@127.0.0.1/x"


def test_safe_url_masks_the_password():
    shown = an.safe_url("postgresql://analyst:s3cret@127.0.0.1:5432/am")
    assert "s3cret" not in shown and "analyst" in shown


def test_default_evidence_dir_is_the_sibling_evidence_folder(built):
    assert an.default_evidence_dir(built.url) == built.evidence.resolve()


def test_default_evidence_dir_is_none_without_the_folder(tmp_path):
    assert an.default_evidence_dir(f"sqlite:///{tmp_path / 'x.sqlite'}") is None


def test_vi_columns_renames_known_columns_only():
    df = pd.DataFrame({"detector": [], "custom": []})
    assert list(an.vi_columns(df, {"custom": "riêng"}).columns) == ["bộ phát hiện", "riêng"]


def test_format_vnd_groups_thousands_with_dots():
    assert an.format_vnd(1_800_000_000) == "1.800.000.000"
    assert an.format_vnd(None) == "không rõ"
    assert an.format_vnd(float("nan")) == "không rõ"


def test_province_label_names_known_codes_and_marks_unknown():
    assert an.province_label("lam-dong") == "Lâm Đồng"
    assert an.province_label(None) == "(không rõ)"
    assert an.province_label("not-a-code") == "not-a-code"


# ------------------------------------------------------------------------------------------------ coverage


def test_crawl_runs_newest_first_with_counters(url, built):
    runs = an.crawl_runs(url)
    assert list(runs["id"]) == [built.runs["thads"], built.runs["second"], built.runs["first"]]
    second = runs.set_index("id").loc[built.runs["second"]]
    assert (second["requests"], second["new"], second["changed"], second["check_failed"]) == (30, 5, 1, 1)
    assert second["status"] == "partial"
    assert second["duration_s"] == 300.0
    assert second["started_at"] == datetime(2026, 4, 23, 12, 0)  # naive local time


def test_crawl_runs_since_leaves_out_older_runs(url, built):
    assert set(an.crawl_runs(url, since=date(2026, 4, 1))["id"]) == {built.runs["second"], built.runs["thads"]}


def test_crawl_activity_sums_runs_per_day_and_source(url):
    act = an.crawl_activity(url).set_index(["day", "source"])
    april = act.loc[(pd.Timestamp("2026-04-23"), "dgts")]
    assert (april["runs"], april["requests"], april["not_complete"]) == (1, 30, 1)
    assert act.loc[(pd.Timestamp("2026-03-05"), "dgts"), "new"] == 3


def test_crawl_coverage_counts_publications_first_sightings_and_check_failures(url):
    cov = an.crawl_coverage(url).set_index(["day", "record_kind"])
    assert cov.loc[(pd.Timestamp("2026-03-02"), "dgts.selection_notice"), "published"] == 1
    assert cov.loc[(pd.Timestamp("2026-03-05"), "dgts.selection_notice"), "first_seen"] == 1
    assert cov.loc[(pd.Timestamp("2026-04-23"), "dgts.auction_notice"), "first_seen"] == 2
    assert cov.loc[(pd.Timestamp("2026-04-23"), "dgts.auction_notice"), "check_failed"] == 1
    # every day of the range is present, with zeros, and weekends are marked
    assert cov.loc[(pd.Timestamp("2026-03-10"), "dgts.auction_notice"), "published"] == 0
    assert not cov.loc[(pd.Timestamp("2026-03-07"), "dgts.auction_notice"), "working_day"]  # a Saturday
    days = cov.reset_index()["day"]
    assert days.nunique() == (days.max() - days.min()).days + 1


def test_crawl_coverage_respects_an_explicit_range(url):
    cov = an.crawl_coverage(url, since=date(2026, 3, 1), until=date(2026, 3, 3), record_kinds=["thads.notice"])
    assert list(cov["day"]) == list(pd.date_range("2026-03-01", "2026-03-03"))
    assert cov["published"].sum() == 0


def test_crawl_coverage_of_an_empty_database(tmp_path):
    from storage.db import upgrade

    empty = f"sqlite:///{tmp_path / 'empty.sqlite'}"
    upgrade(empty)
    assert an.crawl_coverage(empty).empty
    assert an.coverage_gaps(empty).empty
    assert an.findings_summary(empty).empty


def test_coverage_gaps_are_runs_of_days_without_publications(url):
    gaps = an.coverage_gaps(url, record_kind="dgts.auction_notice")
    # auction notices were published on 20/03 and 22/04/2026 only
    assert len(gaps) == 1
    gap = gaps.iloc[0]
    assert (gap["start"], gap["end"], gap["days"]) == (date(2026, 3, 21), date(2026, 4, 21), 32)
    weekdays = sum(1 for i in range(32) if (date(2026, 3, 21) + timedelta(days=i)).weekday() < 5)
    assert gap["working_days"] == weekdays  # no public holiday in this stretch


def test_coverage_gaps_min_days_and_basis(url):
    assert an.coverage_gaps(url, record_kind="dgts.auction_notice", min_days=40).empty
    with pytest.raises(ValueError):
        an.coverage_gaps(url, basis="fetched")


def test_check_failed_events_name_the_record_and_the_run(url, built):
    events = an.check_failed_events(url)
    assert len(events) == 1
    row = events.iloc[0]
    assert (row["record_key"], row["run_id"], row["source"], row["detail"]) == \
        ("9100002", built.runs["second"], "dgts", "HTTP 503")


# ------------------------------------------------------------------------------------------------ findings


def test_findings_frame_holds_every_open_finding(url):
    df = an.findings_frame(url)
    assert sorted(df["id"]) == sorted(f.id for f in open_findings_in_db(url))


def test_findings_frame_dates_lots_by_their_notice(url):
    df = an.findings_frame(url).set_index(["rule", "subject_id"])
    lot = df.loc[("missing_parcel_fields", "auction_notice:9100002:0")]
    assert lot["subject_published"] == pd.Timestamp("2026-04-22")
    assert lot["province_name"] == "Lâm Đồng"
    assert lot["first_seen"] == DETECTED_AT.replace(tzinfo=None)


def test_findings_frame_leaves_out_resolved_findings_unless_asked(writable):
    target = open_findings_in_db(writable)[0].id
    with session_scope(writable) as s:
        s.get(Finding, target).resolved_at = DETECTED_AT
    assert target not in set(an.findings_frame(writable)["id"])
    assert target in set(an.findings_frame(writable, include_resolved=True)["id"])


def test_findings_summary_matches_the_findings_table(url):
    summary = an.findings_summary(url, by=["detector", "rule"]).set_index(["detector", "rule"])
    expected: dict[tuple[str, str, str], int] = {}
    for f in open_findings_in_db(url):
        expected[(f.detector, f.rule, f.status)] = expected.get((f.detector, f.rule, f.status), 0) + 1
    for (det, rule, status), n in expected.items():
        assert summary.loc[(det, rule), status] == n
    assert summary["total"].sum() == len(open_findings_in_db(url))
    assert list(summary["total"]) == sorted(summary["total"], reverse=True)


def test_findings_over_time_weeks_start_on_monday(url):
    weekly = an.findings_over_time(url, freq="W", by="detector")
    assert all(p.weekday() == 0 for p in weekly["period"])
    assert weekly["findings"].sum() == len(open_findings_in_db(url))
    # the findings on notice 910001 (published Monday 02/03/2026) fall in that week
    premature = weekly[(weekly["detector"] == "premature_scoring") & (weekly["period"] == pd.Timestamp("2026-03-02"))]
    assert premature["findings"].iloc[0] >= 2


def test_findings_over_time_rejects_unknown_frequencies(url):
    with pytest.raises(ValueError):
        an.findings_over_time(url, freq="fortnight")


def test_open_findings_most_severe_first_and_unreviewed_filter(writable):
    listed = an.open_findings(writable)
    ranks = listed["severity"].map({"high": 0, "medium": 1, "low": 2}).tolist()
    assert ranks == sorted(ranks)
    assert set(listed["status"]) == {"flag"}
    first = int(listed["id"].iloc[0])
    an.record_verdicts(writable, [{"finding_id": first, "verdict": "confirmed"}])
    assert first not in set(an.open_findings(writable, unreviewed_only=True)["id"])
    assert an.open_findings(writable).set_index("id").loc[first, "verdict"] == "confirmed"


def test_record_verdicts_writes_reviews_and_precision_follows(writable):
    flagged = [f for f in open_findings_in_db(writable, "parcel_details") if f.status == "flag"]
    assert len(flagged) >= 2
    written = an.record_verdicts(writable, pd.DataFrame([
        {"finding_id": flagged[0].id, "verdict": "confirmed", "note": "đúng", "reviewer": "cán bộ A"},
        {"finding_id": flagged[1].id, "verdict": "false-positive", "note": None, "reviewer": None},
    ]))
    assert list(written["verdict"]) == ["confirmed", "false_positive"]
    assert written["reviewer"].iloc[0] == "cán bộ A"
    table = an.precision_table(writable).set_index(["detector", "rule"])
    table = table.loc[("parcel_details", "missing_parcel_fields")]
    assert (table["reviewed"], table["confirmed"], table["false_positive"]) == (2, 1, 1)
    assert table["precision"] == pytest.approx(0.5)
    history = an.reviews_frame(writable)
    assert list(history["finding_id"]) == [flagged[1].id, flagged[0].id]  # newest first


def test_record_verdicts_is_all_or_nothing(writable):
    fid = open_findings_in_db(writable)[0].id
    with pytest.raises(ValueError):
        an.record_verdicts(writable, [{"finding_id": fid, "verdict": "confirmed"},
                                      {"finding_id": fid, "verdict": "maybe"}])
    with session_scope(writable) as s:
        assert s.scalar(select(func.count(Review.id))) == 0


def test_precision_is_empty_until_something_is_decided(url):
    table = an.precision_table(url)
    assert table["precision"].isna().all()
    assert (table["flagged"] > 0).all()


@pytest.mark.parametrize(("key", "expected"), [
    ("top_share", 0.5), ("link.confidence", 0.9), ("steps.1.cut", 0.2), ("steps.-1.cut", 0.2),
    ("steps.5.cut", None), ("link.missing", None), ("top_share.deeper", None),
])
def test_evidence_value_follows_dotted_paths(key, expected):
    evidence = {"top_share": 0.5, "link": {"confidence": 0.9}, "steps": [{"cut": 0.1}, {"cut": 0.2}]}
    assert an.evidence_value(evidence, key) == expected


def _add_scored_findings(url: str, scores: list[float | None], verdicts: list[str | None]) -> list[int]:
    ids = []
    with session_scope(url) as s:
        for i, (score, verdict) in enumerate(zip(scores, verdicts)):
            evidence = {} if score is None else {"score": score}
            f = Finding(fingerprint=f"test-{i}", detector="collusion", rule="anomaly_rank",
                        subject_kind="auction_notice", subject_id=str(8_000_000 + i), status="flag",
                        severity="low", title=f"điểm {score}", evidence=evidence, evidence_hash="0" * 64, urls=[],
                        first_seen=DETECTED_AT, last_seen=DETECTED_AT)
            s.add(f)
            s.flush()
            ids.append(f.id)
            if verdict:
                s.add(Review(finding_id=f.id, verdict=verdict, created_at=DETECTED_AT))
    return ids


def test_threshold_effect_counts_kept_dropped_and_verdicts(writable):
    _add_scored_findings(writable, [0.9, 0.7, 0.55, 0.4, None],
                         ["confirmed", "false_positive", "confirmed", "false_positive", None])
    effect = an.threshold_effect(writable, "collusion", "anomaly_rank", "score", [0.5, 0.6, 0.8]).set_index("threshold")
    assert list(effect["evaluated"]) == [4, 4, 4]
    assert list(effect["missing_value"]) == [1, 1, 1]
    assert list(effect["would_flag"]) == [3, 2, 1]
    assert list(effect["would_drop"]) == [1, 2, 3]
    assert effect.loc[0.6, "confirmed_dropped"] == 1 and effect.loc[0.6, "false_positive_kept"] == 1
    assert effect.loc[0.5, "precision_after"] == pytest.approx(2 / 3)
    assert effect.loc[0.8, "precision_after"] == pytest.approx(1.0)


def test_threshold_effect_below_direction(writable):
    _add_scored_findings(writable, [1.0, 3.0, 8.0], [None, None, None])
    effect = an.threshold_effect(writable, "collusion", "anomaly_rank", "score", [2, 5], flag_when="<")
    assert list(effect["would_flag"]) == [1, 2]
    with pytest.raises(ValueError):
        an.threshold_effect(writable, "collusion", "anomaly_rank", "score", [2], flag_when="=~")


def test_threshold_changes_marks_each_finding(writable):
    ids = _add_scored_findings(writable, [0.9, 0.3, None], [None, None, None])
    changes = an.threshold_changes(writable, "collusion", "anomaly_rank", "score", 0.5).set_index("id")
    assert [changes.loc[i, "change"] for i in ids] == ["kept", "dropped", "no value"]
    assert changes.loc[ids[1], "value"] == pytest.approx(0.3)


def test_detector_settings_apply_and_validate_overrides(url):
    settings, run_at = an.detector_settings(url, "premature_scoring", {"min_window_working_days": 7})
    assert settings.min_window_working_days == 7
    assert run_at == DETECTED_AT
    with pytest.raises(KeyError):
        an.detector_settings(url, "collusion", {"no_such_section.top_n": 1})
    with pytest.raises(Exception, match="extra|Extra|forbidden"):
        an.detector_settings(url, "premature_scoring", {"no_such_setting": 1})
    with pytest.raises(ValueError):
        an.detector_settings(url, "no_such_detector")


def _table_counts(url: str) -> tuple[int, int, int]:
    with session_scope(url) as s:
        return (s.scalar(select(func.count(Finding.id))), s.scalar(select(func.count(RecordLink.id))),
                s.scalar(select(func.count(Review.id))))


def test_settings_effect_with_the_same_settings_changes_nothing(writable):
    before = _table_counts(writable)
    trial = an.settings_effect(writable, "premature_scoring", {})
    assert set(trial["change"]) == {"unchanged"}
    expected = {(f.rule, f.subject_kind, f.subject_id) for f in open_findings_in_db(writable, "premature_scoring")}
    assert set(zip(trial["rule"], trial["subject_kind"], trial["subject_id"])) == expected
    assert _table_counts(writable) == before


def test_settings_effect_stricter_window_minimum_adds_short_windows(writable):
    before = _table_counts(writable)
    trial = an.settings_effect(writable, "premature_scoring", {"min_window_working_days": 20}, rules=["short_window"])
    added = trial[trial["change"] == "added"]
    # notice 910002 (window 02/04–10/04/2026) was long enough for 3 working days, not for 20
    assert "910002" in set(added["subject_id"])
    assert set(added["new_status"]) == {"flag"} and added["finding_id"].isna().all()
    assert not (trial["change"] == "dropped").any()
    assert set(trial["rule"]) == {"short_window"}
    assert _table_counts(writable) == before


# ------------------------------------------------------------------------------------------------ parties


def test_resolve_owner_by_id_exact_name_and_unique_part(url):
    with session_scope(url) as s:
        p = an.resolve_owner(s, OWNER_P.name)
        assert an.resolve_owner(s, p.id).id == p.id
        assert an.resolve_owner(s, str(p.id)).id == p.id
        assert an.resolve_owner(s, "uy ban nhan dan xa thu nghiem, tinh lam dong").id == p.id  # no accents
        assert an.resolve_owner(s, "Bệnh viện Thử").name == OWNER_Q.name
        with pytest.raises(LookupError, match="give one id"):
            an.resolve_owner(s, "Thử Nghiệm")  # P and Q
        with pytest.raises(LookupError):
            an.resolve_owner(s, "Không tồn tại")
        assert an.resolve_organisation(s, "Thử Nghiệm Y").name == ORG_Y.name


def test_find_owners_counts_records_per_owner(url):
    found = an.find_owners(url, "thu nghiem").set_index("name")
    assert (found.loc[OWNER_P.name, "selection_notices"], found.loc[OWNER_P.name, "selection_results"],
            found.loc[OWNER_P.name, "auction_notices"]) == (2, 2, 2)
    assert found.loc[OWNER_Q.name, "selection_results"] == 1
    assert list(found.index)[0] == OWNER_P.name  # most active first


def test_owner_selections_link_notice_window_and_decision(url):
    sel = an.owner_selections(url, OWNER_P.name)
    assert list(sel["record_id"]) == ["990501", "990502"]  # oldest first
    first = sel.iloc[0]
    assert first["organisation"] == ORG_X.name and first["notice_id"] == "910001"
    assert first["window_end"] == pd.Timestamp("2026-03-06")  # the edited window
    assert first["decision_date"] == pd.Timestamp("2026-03-05")
    assert first["result_published"] == pd.Timestamp("2026-03-05 10:00")


def test_owner_selections_count_auction_notices_once_per_relist_chain(url):
    with session_scope(url) as s:
        p = an.resolve_owner(s, OWNER_P.name)
        # match_days=-1: no auction notice is matched to a result, so the chain 9100001 -> 9100002 shows up once
        rows = an.parties.selection_rows(s, owner_ids={p.id}, match_days=-1)
    from_notices = [r for r in rows if r["source"] == "auction_notice"]
    assert [(r["record_id"], r["relisted"]) for r in from_notices] == [("9100001", 1)]


def test_owner_selections_without_auction_notices(url):
    assert set(an.owner_selections(url, OWNER_P.name, include_auction_notices=False)["source"]) == {"selection_result"}


def test_organisation_selections_cover_dgts_and_thads_results(url):
    sel = an.organisation_selections(url, ORG_X.name)
    assert set(sel["owner"]) == {OWNER_P.name, OWNER_Q.name, OWNER_T}
    thads = sel[sel["source"] == "thads_result"].iloc[0]
    assert (thads["notice_id"], thads["window_end"]) == ("lamdong/thongbao/9901", pd.Timestamp("2026-04-13"))


def test_organisation_share_from_both_sides(url):
    by_owner = an.organisation_share(url, owner=OWNER_P.name).set_index("organisation")
    assert by_owner.loc[ORG_X.name, "share"] == pytest.approx(0.5)
    assert by_owner["selections"].sum() == 2
    by_org = an.organisation_share(url, organisation=ORG_X.name)
    assert len(by_org) == 3 and by_org["share"].sum() == pytest.approx(1.0)
    with pytest.raises(ValueError):
        an.organisation_share(url)


def test_owner_org_edges_two_hops_and_focus(url):
    edges = an.owner_org_edges(url, owner=OWNER_P.name)
    pairs = set(zip(edges["owner"], edges["organisation"]))
    assert pairs == {(OWNER_P.name, ORG_X.name), (OWNER_P.name, ORG_Y.name), (OWNER_Q.name, ORG_X.name),
                     (OWNER_T, ORG_X.name)}
    assert set(edges.loc[edges["focus"], "owner"]) == {OWNER_P.name}
    assert list(edges["focus"])[:2] == [True, True]  # the focus edges come first
    one_hop = an.owner_org_edges(url, owner=OWNER_P.name, hops=1)
    assert set(one_hop["owner"]) == {OWNER_P.name}
    assert an.owner_org_edges(url, owner=OWNER_P.name, min_selections=2).empty
    assert len(an.owner_org_edges(url, max_edges=2)) == 2


def test_owner_org_edges_from_an_organisation(url):
    edges = an.owner_org_edges(url, organisation=ORG_Y.name)
    assert set(edges["organisation"]) == {ORG_X.name, ORG_Y.name}  # P's other organisation comes in at hop 2
    assert set(edges.loc[edges["focus"], "organisation"]) == {ORG_Y.name}


def test_owner_findings_include_the_owners_notices(url):
    with session_scope(url) as s:
        p = an.resolve_owner(s, OWNER_P.name)
    found = an.owner_findings(url, p.id, OWNER_P.name)
    assert {"990501", "910001", "auction_notice:9100001:0"} <= set(found["subject_id"])
    assert OWNER_Q.name not in set(found["owner_name"])


# ------------------------------------------------------------------------------------------------ timeline


def test_notice_family_from_a_selection_notice(url):
    with session_scope(url) as s:
        fam = an.notice_family(s, "selection_notice", 910001)
    assert fam["selection_result"] == {"990501"}
    assert fam["auction_notice"] == {"9100001", "9100002"}  # same owner and parcel, and its relist
    assert "910002" not in fam["selection_notice"]


def test_notice_family_from_an_auction_notice_reaches_back_to_the_selection(url):
    with session_scope(url) as s:
        fam = an.notice_family(s, "auction_notice", "9100002")
    assert fam["auction_notice"] == {"9100001", "9100002"}
    assert fam["selection_notice"] == {"910001"} and fam["selection_result"] == {"990501"}


def test_notice_family_of_thads_notices_and_unknown_ids(url):
    with session_scope(url) as s:
        fam = an.notice_family(s, "thads_notice", "lamdong/thongbao/9902")
        assert fam["thads_notice"] == {"lamdong/thongbao/9901", "lamdong/thongbao/9902"}
        with pytest.raises(LookupError):
            an.notice_family(s, "selection_notice", 1)
        with pytest.raises(ValueError):
            an.notice_family(s, "lot", "1")


def test_notice_timeline_in_time_order_with_window_edits_and_findings(url):
    tl = an.notice_timeline(url, "selection_notice", 910001)
    times = tl["at"].dropna()
    assert times.is_monotonic_increasing
    close = tl[tl["event"].str.startswith("hết hạn nhận hồ sơ")]
    assert close["at"].iloc[0] == pd.Timestamp("2026-03-07 00:00")  # the edited end, 06/03, closes at 24:00
    result = tl[tl["event"] == "công bố kết quả lựa chọn"]
    assert result["at"].iloc[0] < close["at"].iloc[0]
    edits = tl[tl["event"] == "thời hạn nhận hồ sơ bị sửa"]
    assert any("09/03/2026 00:00 → 06/03/2026 00:00" in d for d in edits["detail"])  # epoch ms shown as dates
    assert "kiểm tra thất bại (lỗi truy cập)" in set(tl["event"])  # the relist's CHECK_FAILED
    assert any(e.startswith("phát hiện: premature_scoring.result_before_window_end") for e in tl["event"])
    assert "hệ thống ghi nhận lần đầu" not in set(tl["event"])
    assert "hệ thống ghi nhận lần đầu" in set(an.notice_timeline(url, "selection_notice", 910001,
                                                                 include_new_events=True)["event"])


def test_notice_records_roles_prices_and_urls(url):
    rec = an.notice_records(url, "auction_notice", 9100002).set_index(["record_kind", "record_id"])
    assert rec.loc[("auction_notice", "9100002"), "role"] == "thông báo đang xem"
    assert rec.loc[("auction_notice", "9100001"), "role"] == "đấu giá lại"
    assert rec.loc[("auction_notice", "9100001"), "start_price"] == 500_000_000
    assert rec.loc[("selection_result", "990501"), "organisation"] == ORG_X.name
    assert all(u.startswith("https://dgts.moj.gov.vn/") for u in rec["url"])


def test_relist_rounds_prices_and_cuts(url):
    rounds = an.relist_rounds(url, 9100002)
    assert list(rounds["record_id"]) == ["9100001", "9100002"]
    assert list(rounds["round"]) == [1, 2]
    assert pd.isna(rounds["cut"].iloc[0]) and rounds["cut"].iloc[1] == pytest.approx(0.1)
    with pytest.raises(LookupError):
        an.relist_rounds(url, 1)


def test_notice_attachments_point_into_the_evidence_store(writable, tmp_path):
    store = EvidenceStore(tmp_path / "evidence")
    digest = store.put(b"%PDF-1.4 test")
    with session_scope(writable) as s:
        s.add(Attachment(notice_kind="auction_notice", notice_key="9100001", file_key="77", role="notice_file",
                         file_name="quy-che.pdf", original_name="Quy chế.pdf", sha256=digest, size=13,
                         text_status="ok", fetched_at=datetime(2026, 4, 23, 12, 3, tzinfo=VN_TZ),
                         source_url="https://dgts.moj.gov.vn/portal/downloadFile"))
    atts = an.notice_attachments(writable, "selection_notice", 910001, evidence_root=store.root)
    assert list(atts["file_name"]) == ["Quy chế.pdf"]
    assert Path(atts["evidence_path"].iloc[0]).read_bytes() == b"%PDF-1.4 test"
    relative = an.notice_attachments(writable, "selection_notice", 910001)["evidence_path"].iloc[0]
    assert relative == f"{digest[:2]}/{digest[2:4]}/{digest}"
    events = an.notice_timeline(writable, "selection_notice", 910001, evidence_root=store.root)
    assert events.loc[events["event"] == "tệp đính kèm", "evidence_path"].iloc[0] == atts["evidence_path"].iloc[0]


def test_notice_findings_cover_the_family(url):
    found = an.notice_findings(url, "auction_notice", 9100001)
    assert {"auction_notice:9100001:0", "auction_notice:9100002:0", "990501", "910001"} <= set(found["subject_id"])
    assert "990503" not in set(found["subject_id"])


# ------------------------------------------------------------------------------------------------ parcels


def test_lot_parcels_agree_with_the_parcel_detector(url):
    lots = an.lot_parcels(url).set_index(["notice_kind", "notice_id", "lot_index"])
    for f in open_findings_in_db(url, "parcel_details"):
        kind, key, index = f.subject_id.split(":")
        assert lots.loc[(kind, key, int(index)), "missing_required"] == f.evidence["missing"]
    truck = lots.loc[("selection_notice", "910002", 0)]
    assert not truck["is_land"] and not truck[[c for c in lots.columns if c.startswith("missing_") and
                                               c != "missing_required"]].any()


def test_lot_parcels_context_and_land_only(url):
    lots = an.lot_parcels(url, land_only=True)
    assert lots["is_land"].all()
    relist = lots[lots["notice_id"] == "9100002"].iloc[0]
    assert (relist["owner"], relist["organisation"]) == (OWNER_P.name, ORG_X.name)
    assert relist["missing_map_sheet"] and relist["parcel_no"] == "11"
    sel = lots[lots["notice_id"] == "910001"].iloc[0]
    assert sel["organisation"] == ORG_X.name  # the organisation its result chose


def test_parcel_completeness_by_owner_and_month(url):
    table = an.parcel_completeness(url, by="owner", freq="M").set_index(["owner", "period"])
    march = table.loc[(OWNER_P.name, pd.Timestamp("2026-03-01"))]
    april = table.loc[(OWNER_P.name, pd.Timestamp("2026-04-01"))]
    # March: the selection notice's lot (map sheet given) and auction notice 9100001 (no map sheet); April: 9100002
    assert (march["land_lots"], march["missing_map_sheet"]) == (2, 0.5)
    assert (april["land_lots"], april["missing_map_sheet"]) == (1, 1.0)
    assert april["missing_any_required"] == 1.0


def test_parcel_completeness_overall_and_min_lots(url):
    overall = an.parcel_completeness(url, by=None, freq=None)
    assert len(overall) == 1 and overall["land_lots"].iloc[0] == an.lot_parcels(url, land_only=True).shape[0]
    by_org = an.parcel_completeness(url, by="organisation", freq=None, min_lots=3, fields=["map_sheet"])
    assert list(by_org.columns) == ["organisation", "land_lots", "missing_map_sheet", "missing_any_required"]
    assert list(by_org["organisation"]) == [ORG_X.name]
    with pytest.raises(ValueError):
        an.parcel_completeness(url, by="colour")
    with pytest.raises(ValueError):
        an.parcel_completeness(url, fields=["colour"])


# ------------------------------------------------------------------------------------------------ plotting


def test_use_vietnamese_font_checks_glyphs_and_sets_the_family():
    from analysis.plotting import use_vietnamese_font

    path = use_vietnamese_font()
    assert Path(path).is_file()
    assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
    with pytest.raises(RuntimeError):
        use_vietnamese_font("No Such Font Family 123")


def test_wrap_label_wraps_cuts_and_escapes_dollars():
    from analysis.plotting import wrap_label

    text = "Phòng Thi hành án dân sự khu vực 91 - Đồng Nai chọn tổ chức đấu giá $$ nhiều lần liên tiếp"
    out = wrap_label(text, width=20, max_lines=2)
    lines = out.split("\n")
    assert len(lines) == 2 and all(len(line) <= 21 for line in lines) and lines[-1].endswith("…")
    assert wrap_label("giá $5", 20) == r"giá \$5"
    assert wrap_label(None) == "" and wrap_label(float("nan")) == ""


def _edges() -> pd.DataFrame:
    return pd.DataFrame([
        {"owner_id": 1, "owner": "A", "organisation_id": 10, "organisation": "X", "selections": 5, "focus": True},
        {"owner_id": 1, "owner": "A", "organisation_id": 11, "organisation": "Y", "selections": 1, "focus": True},
        {"owner_id": 2, "owner": "B", "organisation_id": 11, "organisation": "Y", "selections": 2, "focus": False},
    ])


def test_bipartite_layout_puts_owners_left_heaviest_on_top():
    from analysis.plotting import bipartite_layout

    nodes = bipartite_layout(_edges()).set_index("node")
    assert set(nodes.loc[nodes["kind"] == "owner", "x"]) == {0.0}
    assert set(nodes.loc[nodes["kind"] == "organisation", "x"]) == {1.0}
    assert nodes.loc["owner:1", "y"] > nodes.loc["owner:2", "y"]
    assert nodes.loc["organisation:10", "y"] > nodes.loc["organisation:11", "y"]  # X hangs on A, Y lower
    assert nodes.loc["owner:1", "weight"] == 6
    assert bipartite_layout(_edges().iloc[0:0]).empty


def test_draw_network_draws_one_line_per_edge():
    import matplotlib.pyplot as plt

    from analysis.plotting import draw_network

    fig, ax = plt.subplots()
    nodes = draw_network(ax, _edges(), title="Mạng lưới")
    assert len(ax.lines) == 3 and len(nodes) == 4
    assert ax.get_title() == "Mạng lưới"
    fig2, ax2 = plt.subplots()
    assert draw_network(ax2, _edges().iloc[0:0]).empty
    plt.close(fig)
    plt.close(fig2)
