"""kill -9 of the whole daily job (``auction-monitor run`` and its crawl child) at chosen and at seeded random
moments, then a rerun: the database must end as an uninterrupted run leaves it (records, snapshots, events,
typed THADS rows, attachments, findings, outbox and ledger), nothing lost or doubled, and no .eml file written
twice for one Message-ID. The portal is the simulator on 127.0.0.1; e-mails go to the outbox folder."""

from __future__ import annotations

import random
import time
from collections import Counter

import pytest

from am_testing import real_notices_path
from crawler.simulator import PortalSimulator, load_documents
from daily_harness import (
    db_state,
    finish,
    kill_group,
    make_workdir,
    outbox_message_ids,
    sent_message_ids,
    served_documents,
    start_run,
    wait_for,
    count,
)
from storage.models import Alert, Attachment, JobLock, JobRun, RawResponse
from storage.timeutil import VN_TZ, utcnow

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def portal():
    docs = served_documents(load_documents([real_notices_path()]), utcnow().astimezone(VN_TZ))
    with PortalSimulator(docs) as sim:
        yield sim


@pytest.fixture(scope="module")
def clean(portal, tmp_path_factory):
    """One uninterrupted daily run: the reference state, and how long a run takes here."""
    work = make_workdir(tmp_path_factory.mktemp("clean"), portal.base_url)
    started = time.monotonic()
    code, _out, err = finish(start_run(work))
    elapsed = time.monotonic() - started
    assert code in (0, 1), err[-3000:]
    state = db_state(work.db_url)
    assert len(state["records"]) == 109 and state["findings"] and state["alerts"]  # a run that did something
    assert sum(1 for t in state["thads"] if t[1] == "selection_auction_org") == 3  # categories from the PDFs
    return work, state, elapsed


def rerun_and_compare(work, clean) -> None:
    clean_work, clean_state, _ = clean
    code, _out, err = finish(start_run(work))
    assert code in (0, 1), err[-3000:]
    assert "another daily run holds the lock" not in err  # a killed run's lock does not block the next run
    state = db_state(work.db_url)
    for part in clean_state:
        assert state[part] == clean_state[part], f"{part} differs after kill -9 and rerun"
    assert count(work.db_url, JobRun, JobRun.status == "running") == 0  # the killed run is closed, not "running"
    assert count(work.db_url, JobLock) == 0
    ids = outbox_message_ids(work)
    assert len(ids) == len(set(ids)), "an .eml file was written twice for one Message-ID"
    assert sorted(ids) == sent_message_ids(work.db_url)  # every sent row has its file, every file its row
    assert count(work.db_url, Alert, Alert.status != "sent") == 0


def test_kill_during_crawl(portal, clean, tmp_path):
    work = make_workdir(tmp_path, portal.base_url)
    proc = start_run(work)
    try:
        assert wait_for(lambda: count(work.db_url, RawResponse) >= 150, timeout=120), "the crawl never got going"
    finally:
        kill_group(proc)
    assert len(db_state(work.db_url)["records"]) < 109  # really cut short
    rerun_and_compare(work, clean)


@pytest.mark.parametrize("kill_at", [
    "crawler.attachment_text:extract_text:2:after",  # first attachment text committed, second one in hand
    "detectors.runner:_store:2:after",  # two detectors' findings flushed, not committed
    "alerts.outbox:write_eml:3:after",  # third .eml on disk, its row not yet marked sent
], ids=["attachments", "detection", "mid-delivery"])
def test_kill_at_a_point_then_rerun(portal, clean, tmp_path, kill_at):
    work = make_workdir(tmp_path, portal.base_url)
    proc = start_run(work, kill_at=kill_at)
    code, _out, err = finish(proc)
    assert code == -9 and "killpoint: SIGKILL" in err, err[-3000:]
    if kill_at.startswith("crawler.attachment_text"):
        assert count(work.db_url, Attachment, Attachment.text_status == "pending",
                     Attachment.sha256.is_not(None)) >= 1
    if "write_eml" in kill_at:
        assert len(outbox_message_ids(work)) == 3 and len(sent_message_ids(work.db_url)) == 2
    rerun_and_compare(work, clean)


@pytest.mark.parametrize("seed", [7, 2026])
def test_kill_at_a_seeded_random_moment(portal, clean, tmp_path, seed):
    work = make_workdir(tmp_path, portal.base_url)
    delay = random.Random(seed).uniform(0.3, clean[2] * 0.9)
    proc = start_run(work)
    time.sleep(delay)
    kill_group(proc)
    rerun_and_compare(work, clean)


def test_clean_rerun_changes_nothing(clean):
    """The reference itself: a second uninterrupted run adds no event, finding, alert or file."""
    work, state, _ = clean
    before = Counter(outbox_message_ids(work))
    code, _out, err = finish(start_run(work))
    assert code in (0, 1), err[-3000:]
    after = db_state(work.db_url)
    assert after == state
    assert Counter(outbox_message_ids(work)) == before
