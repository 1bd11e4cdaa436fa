import os
import pathlib
import socket
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
VITRINE = os.environ.get("VITRINE", str(ROOT / "build" / "vitrine"))


def run(*args, timeout=30, env=None, cwd=ROOT, **kw):
    """Runs the real binary (in cwd); returns the CompletedProcess."""
    e = dict(os.environ)
    e.pop("JOURNAL_STREAM", None)
    if env:
        e.update(env)
    return subprocess.run([VITRINE, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=e, **kw)


@pytest.fixture
def vitrine():
    return run


def free_port():
    """A UDP port on 127.0.0.1 that nothing listens on now."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def free_tcp_port():
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_bound(port, proc, timeout=30):
    """Waits until something (the vitrine in proc) listens on UDP
    127.0.0.1:port; False when proc ended or time ran out first."""
    import time
    deadline = time.time() + timeout
    while time.time() < deadline and proc.poll() is None:
        probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
        finally:
            probe.close()
        time.sleep(0.05)
    return False


def osc_packet(addr, *args):
    """An OSC message: text as s, floats as f, ints as i."""
    import struct

    def pad(b):
        return b + b"\0" * (4 - len(b) % 4)
    tags, data = ",", b""
    for a in args:
        if isinstance(a, str):
            tags, data = tags + "s", data + pad(a.encode())
        elif isinstance(a, int):
            tags, data = tags + "i", data + struct.pack(">i", a)
        else:
            tags, data = tags + "f", data + struct.pack(">f", a)
    return pad(addr.encode()) + pad(tags.encode()) + data


def start_with_port(tmp_path, net, *args):
    """vitrine on network net (with args), its runtime namespace on a
    free port of
    127.0.0.1 (kiosk.ini in tmp_path), logging to tmp_path/log; returns
    (process, port, log path) once the port is bound."""
    port = free_port()
    ini = tmp_path / "kiosk.ini"
    ini.write_text(f"[osc]\nport = {port}\n")
    e = dict(os.environ)
    e.pop("NOTIFY_SOCKET", None)
    e.pop("JOURNAL_STREAM", None)
    log = tmp_path / "log"
    p = subprocess.Popen([VITRINE, "--headless", "--config", str(ini),
                          *args, str(net)], cwd=ROOT, env=e,
                         stdout=subprocess.DEVNULL, stderr=open(log, "w"))
    assert wait_bound(port, p)
    return p, port, log


def osc_bundle(when, *elements):
    """An OSC bundle of packets; when: Unix seconds (float), or None for
    immediately."""
    import struct
    if when is None:
        tt = 1
    else:
        sec = int(when) + 2208988800
        tt = sec << 32 | int((when % 1) * (1 << 32))
    return b"#bundle\0" + struct.pack(">Q", tt) + b"".join(
        struct.pack(">I", len(e)) + e for e in elements)
