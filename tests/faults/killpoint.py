"""Runs the ``auction-monitor`` command line with an optional kill point armed (a test launcher, not a test).

``AM_KILL_AT="module:function:N:before|after"`` replaces ``module.function`` with a wrapper that sends SIGKILL to
the whole process group (the CLI, its crawl child) on the N-th call, before or after the real call. That is a
kill -9 at an exact point of the daily job: e.g. ``alerts.outbox:write_eml:2:after`` dies with the second .eml
on disk and its outbox row not yet marked sent. Without the variable it is the plain CLI.

    python tests/faults/killpoint.py --config FILE run
"""

from __future__ import annotations

import importlib
import os
import signal
import sys


def _die() -> None:
    sys.stderr.write("killpoint: SIGKILL\n")
    sys.stderr.flush()
    os.killpg(os.getpgrp(), signal.SIGKILL)


def arm(spec: str) -> None:
    module_name, attr, count_text, when = spec.split(":")
    count = int(count_text)
    if when not in ("before", "after"):
        raise ValueError(f"kill point must be 'before' or 'after', got {when!r}")
    module = importlib.import_module(module_name)
    real = getattr(module, attr)
    calls = {"n": 0}

    def wrapper(*args, **kwargs):
        calls["n"] += 1
        if when == "before" and calls["n"] == count:
            _die()
        out = real(*args, **kwargs)
        if when == "after" and calls["n"] == count:
            _die()
        return out

    setattr(module, attr, wrapper)


if __name__ == "__main__":
    spec = os.environ.get("AM_KILL_AT")
    if spec:
        arm(spec)
    sys.argv = ["auction-monitor", *sys.argv[1:]]
    from service.cli import main

    main()
