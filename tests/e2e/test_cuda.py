"""CUDA-GL interop: the exact errors where there is no CUDA (here, in CI),
a build without CUDA, and on a machine with an NVIDIA GPU the round trips,
registrations and figures of tests/networks/cuda (skipped elsewhere, with
the reason)."""
import os
import subprocess

import pytest

from conftest import ROOT, run

CUDA_NET = ROOT / "tests" / "networks" / "cuda"

PROBE = """
[network]
output = src
resolution = 8x8
[src]
OPType = scriptTOP
callbacks = cb
[cb]
OPType = textDAT
text = def onCook(scriptOp): pass
[probe]
OPType = executeDAT
file = probe.py
"""

PROBE_PY = """
import numpy
def onStart():
    for call in (lambda: op('src').cudaMemory(),
                 lambda: op('src').copyCUDAMemory(
                     4096, 256, td.CUDAMemoryShape(8, 8, 1, numpy.float32))):
        try:
            call()
            print('no error')
        except RuntimeError as e:
            print('RuntimeError', e)
"""


def probe(tmp_path, vitrine=None):
    (tmp_path / "network.ini").write_text(PROBE)
    (tmp_path / "probe.py").write_text(PROBE_PY)
    if vitrine:
        return subprocess.run([vitrine, "--headless", "--frames", "2",
                               str(tmp_path)], capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
    return run("--headless", "--frames", "2", str(tmp_path))


def lines_of(stderr, path):
    prefix = f"[{path}] "
    return [l[len(prefix):] for l in stderr.splitlines()
            if l.startswith(prefix)]


def has_cuda_driver():
    import ctypes
    try:
        ctypes.CDLL("libcuda.so.1")
        return True
    except OSError:
        return False


@pytest.mark.skipif(has_cuda_driver(), reason="this machine has an NVIDIA "
                    "driver: the errors for none are not seen here")
def test_without_a_driver_both_calls_say_why(tmp_path):
    r = probe(tmp_path)
    assert r.returncode == 0, r.stderr
    msg = ("RuntimeError CUDA is not available: no CUDA driver "
           "(libcuda.so.1 cannot be loaded: no NVIDIA driver on this "
           "machine)")
    assert lines_of(r.stderr, "/project1/probe") == [msg, msg]


def test_build_without_cuda(tmp_path):
    """make CUDA=0 builds, and both calls say the build has no CUDA."""
    build = tmp_path / "build"
    jobs = str(max(1, min(4, os.cpu_count() or 1)))
    r = subprocess.run(["make", "-s", "-j", jobs, f"BUILD={build}",
                        "CUDA=0", f"{build}/vitrine"], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stdout + r.stderr
    net = tmp_path / "net"
    net.mkdir()
    r = probe(net, str(build / "vitrine"))
    assert r.returncode == 0, r.stderr
    msg = ("RuntimeError CUDA is not available: this build has no CUDA "
           "support (built with CUDA=0)")
    assert lines_of(r.stderr, "/project1/probe") == [msg, msg]


def test_interop_on_a_gpu():
    r = run("--headless", "--frames", "2", str(CUDA_NET), timeout=300)
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/checks")
    if out and out[0].startswith("SKIP "):
        pytest.skip("needs an NVIDIA GPU with its driver: " + out[0][5:])
    fails = [l for l in out if l.startswith("FAIL")]
    assert not fails, "\n".join(fails)
    assert len([l for l in out if l.startswith("PASS")]) == 27, out
    assert out[-1] == "DONE", r.stderr
    for line in out:
        if line.startswith("BENCH"):
            print(line)
