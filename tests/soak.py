#!/usr/bin/python3
"""make soak: the long checks that do not belong in make test.

  flood   vitrine under a flood of OSC for SOAK_SECONDS (300): new
          addresses to an OSC In CHOP and messages to an OSC In DAT with
          callbacks; its memory (VmRSS) sampled every 5 s and its frame
          rate from the status lines. Passes when it is still running at
          the end, its memory after the first minute grew by at most 10%,
          and it held at least 90% of its frame rate.
  kills   SOAK_KILLS (100) starts, each killed with SIGKILL at a random
          moment while it saves its state every 0.1 s; after each, the
          state file must be whole (header, end line, CRC32) and no
          temporary file may outlive the next start.

Prints one line per figure and a last line saying how it went."""
import os
import random
import re
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VITRINE = os.environ.get("VITRINE", os.path.join(ROOT, "build", "vitrine"))
SECONDS = float(os.environ.get("SOAK_SECONDS", "300"))
KILLS = int(os.environ.get("SOAK_KILLS", "100"))


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def osc_str(s):
    b = s.encode() + b"\0"
    return b + b"\0" * (-len(b) % 4)


def message(addr, value):
    return osc_str(addr) + osc_str(",f") + struct.pack(">f", value)


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"^VmRSS:\s+(\d+)", f.read(), re.M).group(1))


FLOOD_NET = """
[network]
fps = 60
resolution = 320x180
output = noise
[noise]
OPType = noiseTOP
[osc]
OPType = oscinCHOP
localaddress = 127.0.0.1
port = {port}
[dat]
OPType = oscinDAT
localaddress = 127.0.0.1
port = {port2}
maxlines = 1000
callbacks = cb
[cb]
OPType = textDAT
file = cb.py
"""

CB = """
def onReceiveOSC(dat, rowIndex, message, byteData, timeStamp, address, args,
                 peer):
    dat.numRows
"""


def flood(tmp):
    port, port2 = free_port(), free_port()
    with open(os.path.join(tmp, "network.ini"), "w") as f:
        f.write(FLOOD_NET.format(port=port, port2=port2))
    with open(os.path.join(tmp, "cb.py"), "w") as f:
        f.write(CB)
    log = open(os.path.join(tmp, "flood.log"), "w+")
    proc = subprocess.Popen([VITRINE, "--headless", tmp], stderr=log,
                            cwd=ROOT)
    time.sleep(2)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    samples, n, t0 = [], 0, time.time()
    next_sample = t0
    while time.time() - t0 < SECONDS and proc.poll() is None:
        for _ in range(200):
            n += 1
            s.sendto(message(f"/flood/{n}", 0.5), ("127.0.0.1", port))
            s.sendto(message("/dat", float(n)), ("127.0.0.1", port2))
        if time.time() >= next_sample:
            samples.append((time.time() - t0, rss_kb(proc.pid)))
            next_sample += 5
        time.sleep(0.002)
    alive = proc.poll() is None
    if alive:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    log.seek(0)
    text = log.read()
    fps = [float(x) for x in re.findall(r"\| ([\d.]+) fps \|", text)]
    after = [kb for t, kb in samples if t >= 60] or [samples[-1][1]]
    growth = after[-1] / after[0] - 1 if after else 0
    held = min(fps[2:]) / 60 if len(fps) > 2 else 0
    print(f"soak flood: {SECONDS:.0f} s, {2 * n} messages sent; RSS "
          f"{samples[0][1] / 1024:.1f} MB at start, "
          f"{max(kb for _, kb in samples) / 1024:.1f} MB peak, "
          f"{samples[-1][1] / 1024:.1f} MB at the end; growth after the "
          f"first minute {100 * growth:.1f}% (limit 10%); lowest fps "
          f"{min(fps[2:]) if len(fps) > 2 else 0:.1f} of 60 "
          f"(limit 90%); {'running' if alive else 'DIED'} at the end")
    return alive and growth <= 0.10 and held >= 0.9 and \
        proc.returncode == 0


def whole(path):
    data = open(path, "rb").read()
    if not data.startswith(b"vitrine-state 1\n"):
        return False
    body, _, last = data.rstrip(b"\n").rpartition(b"\n")
    m = re.fullmatch(rb"end ([0-9a-f]{8})", last)
    return bool(m) and zlib.crc32(body + b"\n") == int(m.group(1), 16)


KILL_NET = """
[network]
fps = 60
resolution = 64x36
output = c
[c]
OPType = constantTOP
[osc]
OPType = oscinCHOP
localaddress = 127.0.0.1
port = {port}
[s]
OPType = executeDAT
file = s.py
"""

KILL_SCRIPT = """
import numpy
def onStart():
    me.store('big', numpy.zeros(1 << 18))
def onFrameEnd(frame):
    me.store('frame', frame)
"""


def kills(tmp):
    port = free_port()
    state = os.path.join(tmp, "state")
    with open(os.path.join(tmp, "network.ini"), "w") as f:
        f.write(KILL_NET.format(port=port))
    with open(os.path.join(tmp, "s.py"), "w") as f:
        f.write(KILL_SCRIPT)
    ini = os.path.join(tmp, "kiosk.ini")
    with open(ini, "w") as f:
        f.write(f"[osc]\nport = {free_port()}\n[state]\ndir = {state}\n"
                "interval = 0.1\n")
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    broken, stale_max, restored = 0, 0, 0
    rng = random.Random(7)
    for i in range(KILLS):
        # the record of starts would call this a crash loop: not the point
        if os.path.exists(os.path.join(state, "starts")):
            os.unlink(os.path.join(state, "starts"))
        log = open(os.path.join(tmp, "kill.log"), "w+")
        proc = subprocess.Popen([VITRINE, "--headless", "--config", ini,
                                 tmp], stderr=log, cwd=ROOT)
        time.sleep(0.4 + rng.random() * 0.6)
        s.sendto(message("/v", float(i)), ("127.0.0.1", port))
        time.sleep(rng.random() * 0.3)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        log.seek(0)
        restored += "restored the state" in log.read()
        files = [f for f in os.listdir(state) if f.endswith(".state")]
        broken += sum(not whole(os.path.join(state, f)) for f in files)
        stale_max = max(stale_max, len([f for f in os.listdir(state)
                                        if f.endswith(".tmp")]))
    # one more start clears what the kills left mid-write
    proc = subprocess.Popen([VITRINE, "--headless", "--config", ini,
                             "--frames", "30", tmp], cwd=ROOT,
                            stderr=subprocess.DEVNULL)
    proc.wait(timeout=60)
    left = [f for f in os.listdir(state) if f.endswith(".tmp")]
    print(f"soak kills: {KILLS} kill -9s while saving every 0.1 s; state "
          f"files not whole after a kill: {broken} (limit 0); starts that "
          f"restored state: {restored}; temporary files at most "
          f"{stale_max} at once, {len(left)} after the next start "
          f"(limit 0)")
    return broken == 0 and not left and restored >= KILLS - 1


def main():
    if not os.access(VITRINE, os.X_OK):
        print(f"soak: {VITRINE} is not built (make first)")
        return 1
    ok = True
    with tempfile.TemporaryDirectory(prefix="vitrine-soak-") as tmp:
        os.mkdir(os.path.join(tmp, "flood"))
        os.mkdir(os.path.join(tmp, "kills"))
        ok &= flood(os.path.join(tmp, "flood"))
        ok &= kills(os.path.join(tmp, "kills"))
    print("soak: " + ("passed" if ok else "FAILED"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
