"""A portal-dataset file with bad lines among good ones (not JSON, cut short, not an object, invalid UTF-8,
unknown kind, missing or absurd id, junk in any part, bad attachment encoding): every bad line is reported with
file:line and skipped, every good line is imported, and nothing already stored is lost."""

from __future__ import annotations

import base64
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from badinput_helpers import fresh_context, new_folder, real_notice, selection_notice, thads_notice
from crawler.dataset_import import import_dataset
from crawler.parsers.dgts import as_code, as_int
from storage.models import CrawlRun, Record, Snapshot

SETTINGS = settings(max_examples=30, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

junk = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30), st.floats(),
              st.text(max_size=20)),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6)
bad_ids = st.one_of(st.none(), st.text(max_size=10), st.floats(), st.integers(),
                    st.sampled_from([1e400, 10**30, "1e400", [], {}, True, "", "NaN", -(10**25)])
                    ).filter(lambda v: as_code(v) is None and as_int(v) is None)
unknown_kinds = st.one_of(st.none(), st.integers(), st.text(max_size=20)).filter(
    lambda k: k not in ("dgts.auction_notice", "dgts.selection_notice", "dgts.selection_result", "thads.notice"))


def line(doc: Any) -> bytes:
    return json.dumps(doc, ensure_ascii=False, allow_nan=True).encode("utf-8")


@st.composite
def surely_bad_line(draw) -> bytes:
    """A line that can never be a document."""
    good = line(real_notice(draw(st.integers(min_value=0, max_value=30))))
    choice = draw(st.sampled_from(["text", "cut", "not_object", "utf8", "kind", "id", "thads_id", "base64"]))
    if choice == "text":
        raw = draw(st.text(min_size=1, max_size=200)).replace("\n", " ").encode("utf-8", "surrogatepass")
        try:
            if isinstance(json.loads(raw), dict):
                raw = b"{" + raw
        except ValueError:
            pass
        return raw if raw.strip() else b"x" + raw  # a blank line is not an error
    if choice == "cut":
        return good[: draw(st.integers(min_value=1, max_value=len(good) - 1))]
    if choice == "not_object":
        return line(draw(junk.filter(lambda v: not isinstance(v, dict))))
    if choice == "utf8":
        return b"\xff\xfe\xfd" + good[:50]
    if choice == "kind":
        doc = json.loads(good)
        doc["kind"] = draw(unknown_kinds)
        return line(doc)
    if choice == "id":
        doc = json.loads(good)
        doc["id"] = draw(bad_ids)
        doc["list_item"]["id"] = draw(bad_ids)
        return line(doc)
    if choice == "thads_id":
        doc = thads_notice(1)
        doc["item_id"] = draw(bad_ids)
        return line(doc)
    doc = thads_notice(2)
    not_base64 = draw(st.sampled_from(["***", "YQ", "not base64!", "====="]))
    doc["attachments"] = [{"name": "x.pdf", "content_b64": not_base64}]
    return line(doc)


@st.composite
def maybe_bad_line(draw) -> bytes:
    """A document of a known kind and a valid id with junk in one of its parts: imported or reported, never
    a crash."""
    doc = real_notice(draw(st.integers(min_value=0, max_value=30)))
    part = draw(st.sampled_from(["list_item", "property_info", "detail", "publish_history", "corrections"]))
    if part == "list_item":
        doc["list_item"] = {"id": doc["id"], **draw(st.dictionaries(st.sampled_from(
            ["publishTime1", "aucTime", "propertyName", "fullname", "org_name", "propertyTypeId"]), junk))}
    else:
        doc[part] = draw(junk)
    return line(doc)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["good", "bad", "maybe"]), st.integers(0, 10**6)), min_size=3, max_size=25),
       st.data())
def test_bad_lines_are_reported_and_skipped_good_lines_imported_nothing_lost(tmp_path, plan, data):
    ctx = fresh_context(new_folder(tmp_path))
    folder = new_folder(tmp_path)
    stored_docs = [real_notice(40 + i) for i in range(3)] + [selection_notice(8_800_000 + i) for i in range(2)]
    stored = folder / "stored.jsonl"
    stored.write_bytes(b"\n".join(line(d) for d in stored_docs) + b"\n")
    assert import_dataset(ctx.session, ctx.evidence, [stored])["errors"] == []
    with ctx.session() as s:
        before = {(x.record_key, x.content_hash) for x in s.scalars(select(Snapshot))}

    lines: list[bytes] = []
    good_keys: dict[int, str] = {}
    bad_lines: set[int] = set()
    for kind, n in plan:
        if kind == "good":
            doc = real_notice(n % 30) if n % 3 else thads_notice(100 + len(lines))
            if n % 3 == 0:
                doc["attachments"] = [{"name": "tb.pdf", "content_b64": base64.b64encode(b"%PDF-1.4 x").decode()}]
            lines.append(line(doc))
            good_keys[len(lines)] = str(doc.get("id") or f"binhdinh/thongbao/{doc['item_id']}")
        elif kind == "bad":
            lines.append(data.draw(surely_bad_line()))
            bad_lines.add(len(lines))
        else:
            lines.append(data.draw(maybe_bad_line()))
        if n % 7 == 0:
            lines.append(b"   ")  # blank lines are not errors
    path = folder / "mixed.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n")

    summary = import_dataset(ctx.session, ctx.evidence, [path])
    reported = set()
    for error in summary["errors"]:
        prefix, lineno, _ = error.split(":", 2)
        assert prefix == str(path), error
        reported.add(int(lineno))
    assert bad_lines <= reported, (sorted(bad_lines - reported), summary["errors"])
    assert not reported & set(good_keys), "a good line was reported as bad"
    with ctx.session() as s:
        keys = set(s.scalars(select(Record.record_key)))
        after = {(x.record_key, x.content_hash) for x in s.scalars(select(Snapshot))}
        run = s.get(CrawlRun, summary["run_id"])
    assert set(good_keys.values()) <= keys  # every good line imported
    assert before <= after and {str(d["id"]) for d in stored_docs} <= keys  # nothing already stored lost
    assert run.status == ("partial" if summary["errors"] else "complete")
    assert summary["counters"].get("errors", 0) == len(summary["errors"])


def test_nan_and_infinity_constants_are_not_json(tmp_path):
    """Python's json accepts NaN/Infinity; no portal sends them and PostgreSQL's JSON refuses them."""
    ctx = fresh_context(new_folder(tmp_path))
    doc = real_notice(1)
    path = new_folder(tmp_path) / "nan.jsonl"
    text = json.dumps(doc).replace('"propertyStartPrice": ', '"propertyStartPrice": NaN, "x": ', 1)
    infinite_id = '{"kind": "dgts.auction_notice", "id": Infinity}'
    path.write_text(text + "\n" + json.dumps(real_notice(2)) + "\n" + infinite_id + "\n")
    summary = import_dataset(ctx.session, ctx.evidence, [path])
    assert [e.split(":", 2)[1] for e in summary["errors"]] == ["1", "3"]
    assert summary["counters"]["new"] == 1
