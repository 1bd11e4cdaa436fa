"""bench_sync: several kiosks on one machine, as tests/e2e/test_sync.py
runs them, measured: of the frames four kiosks all rendered, the share
where they show the same movie frame (target 100%); of 100 timetagged
multicast cues, the share applied in the same frame on all four (target
100%); the offset the others measure of a kiosk whose clock faketime puts
40 ms ahead, against 40 ms (target within 2 ms)."""
import os
import pathlib
import random
import re
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from conftest import free_port  # noqa: E402
from test_sync import FAKETIME, run_four, start_kiosk, stop, wait_for  # noqa


def agreement(tmp):
    names, due, _, rows, late = run_four(tmp, random.Random())
    for k in late:  # the sender was held back: no kiosk could know in time
        del due[k]
    common = sorted(set.intersection(*(set(r) for r in rows.values())))
    same = sum(len({rows[n][f][0] for n in names}) == 1 for f in common)
    cues = 0
    for k in due:
        got = {min(g for g, r in rows[n].items() if r[2] >= k)
               for n in names}
        cues += len(got) == 1
    return same, len(common), cues, len(due)


def offset(tmp):
    (tmp / "network.ini").write_text("[network]\nfps = 30\n")
    epoch = int(time.time()) - 3
    sync_port = free_port()
    procs = [start_kiosk(tmp, n, epoch, sync_port)
             for n in ("kiosk-1", "kiosk-2")]
    try:
        procs.append(start_kiosk(tmp, "kiosk-3", epoch, sync_port, {
            "LD_PRELOAD": FAKETIME, "FAKETIME": "+0.04",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "FAKETIME_DONT_RESET": "1",
            # a SAN=1 build: faketime preloaded before ASan's runtime
            "ASAN_OPTIONS": "verify_asan_link_order=0"}))
        said = re.compile(r"kiosk-3 is (\d+\.\d) ms ahead")
        logs = [tmp / "kiosk-1.log", tmp / "kiosk-2.log"]
        wait_for(lambda: all(said.search(p.read_text()) for p in logs), 30)
    finally:
        stop(procs)
    return [float(said.search(p.read_text()).group(1)) for p in logs]


def main():
    with tempfile.TemporaryDirectory(prefix="vitrine-benchsync-") as d:
        same, frames, cues, sent = agreement(pathlib.Path(d))
    pct = 100.0 * same / frames if frames else 0
    print("four kiosks, frame agreement: %d of %d frames all rendered show "
          "the same movie frame = %.1f%%  [target 100%%] %s"
          % (same, frames, pct, "ok" if same == frames else "OVER"))
    print("four kiosks, cue agreement: %d of %d timetagged multicast cues "
          "sent in time (of 100) in the same frame on all four = %.0f%%  "
          "[target 100%%] %s" % (cues, sent, 100.0 * cues / sent if sent else 0,
                                 "ok" if sent and cues == sent else "OVER"))
    if not os.path.exists(FAKETIME):
        print("clock offset: skipped (libfaketime is not installed)")
        return
    with tempfile.TemporaryDirectory(prefix="vitrine-benchsync-") as d:
        ms = offset(pathlib.Path(d))
    err = max(abs(m - 40) for m in ms)
    print("clock offset injected 40 ms (faketime): measured %s ms, error "
          "%.1f ms  [target 2 ms] %s" % (" and ".join("%.1f" % m for m in ms),
                                          err, "ok" if err <= 2 else "OVER"))


if __name__ == "__main__":
    main()
