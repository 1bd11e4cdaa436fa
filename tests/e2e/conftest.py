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
