"""CUDA-GL interop: the exact errors where there is no CUDA (here, in CI),
a build without CUDA; the checks of tests/networks/cuda (round trips,
streams, errors, 10,000 frames of resizing copies) against the stand-in
driver of tests/fakecuda, which holds vitrine to the driver's rules; and
on a machine with an NVIDIA GPU the same checks against the real driver
(skipped elsewhere, with the reason). The figures are make bench's
(tests/bench/bench_cuda.c)."""
import os
import pathlib
import subprocess

import pytest

from conftest import ROOT, VITRINE, run
from images import read_png

CUDA_NET = ROOT / "tests" / "networks" / "cuda"
FRAMES = 10000  # checks.py's FRAMES
CHECKS = ["-c", str(CUDA_NET / "kiosk.ini"), "--headless", "--fps", "1000",
          "--frames", str(FRAMES + 2), str(CUDA_NET)]


@pytest.fixture(scope="module")
def fake():
    """The environment that puts the stand-in libcuda.so.1 first."""
    build = pathlib.Path(VITRINE).resolve().parent
    lib = build / "fakecuda" / "libcuda.so.1"
    r = subprocess.run(["make", "-s", f"BUILD={build}", str(lib)], cwd=ROOT,
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    return {"LD_LIBRARY_PATH": str(lib.parent)}

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


def probe(tmp_path, vitrine=None, env=None):
    (tmp_path / "network.ini").write_text(PROBE)
    (tmp_path / "probe.py").write_text(PROBE_PY)
    if vitrine:
        return subprocess.run([vitrine, "--headless", "--frames", "2",
                               str(tmp_path)], capture_output=True,
                              text=True, timeout=60, cwd=ROOT)
    return run("--headless", "--frames", "2", str(tmp_path), env=env)


def lines_of(stderr, path):
    prefix = f"[{path}] "
    return [l[len(prefix):] for l in stderr.splitlines()
            if l.startswith(prefix)]


def test_bench_cuda_runs_against_the_fake_driver(fake):
    """make bench's CUDA figures need a GPU; here the program is only kept
    working: it runs to the end on the stand-in and says its figures are
    no measurement."""
    build = pathlib.Path(VITRINE).resolve().parent
    bench = build / "bench" / "bench_cuda"
    r = subprocess.run(["make", "-s", f"BUILD={build}", str(bench)],
                       cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stdout + r.stderr
    r = subprocess.run([str(bench), "2"], capture_output=True, text=True,
                       timeout=120, env={**os.environ, **fake})
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert "the tests' stand-in driver" in lines[0], lines
    assert [l.split(":")[0] for l in lines[1:]] == [
        "cuda RGBA8 1920x1080 (8.3 MB)", "cuda RGBA8 1920x1080",
        "cuda RGBA8 1920x1080", "cuda RGBA32F 1920x1080 (33.2 MB)",
        "cuda RGBA32F 1920x1080", "cuda RGBA32F 1920x1080"], lines
    assert "a bare interop copy" in lines[3] and "its map and unmap" in \
        lines[6], lines


def has_cuda_driver():
    import ctypes
    try:
        ctypes.CDLL("libcuda.so.1")
        return True
    except OSError:
        return False


TOOLKIT = pathlib.Path(os.environ.get("CUDA_INCLUDE",
                                     "/usr/local/cuda/include"))


def compile_check(*defines):
    cflags = subprocess.run(["pkg-config", "--cflags", "epoxy"],
                            capture_output=True, text=True).stdout.split()
    return subprocess.run(["cc", "-std=c11", "-Wall", "-Werror",
                           "-fsyntax-only", *cflags, "-isystem",
                           str(TOOLKIT), *defines,
                           str(ROOT / "engine" / "gpu" / "cuda_check.c")],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(not (TOOLKIT / "cudaGL.h").exists(),
                    reason="no CUDA Toolkit here (%s/cudaGL.h): vitrine's "
                    "driver API declarations are not compared with "
                    "NVIDIA's" % TOOLKIT)
def test_declarations_match_the_toolkit():
    """engine/gpu/cuda_check.c compiles against the Toolkit's cuda.h and
    cudaGL.h (as make does where they are), and fails with one
    declaration made wrong."""
    r = compile_check()
    assert r.returncode == 0, r.stderr
    r = compile_check("-DCUDA_CHECK_BROKEN")
    assert r.returncode != 0
    assert "cuMemAlloc_v2 is not CUresult (*)(CUdeviceptr *, int)" in \
        r.stderr, r.stderr


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


def test_driver_without_a_device_says_so(tmp_path, fake):
    """The driver is installed but finds no GPU (cuInit answers
    CUDA_ERROR_NO_DEVICE)."""
    r = probe(tmp_path, env={**fake, "FAKECUDA_DEVICES": "0"})
    assert r.returncode == 0, r.stderr
    msg = "RuntimeError CUDA is not available: no CUDA-capable device"
    assert lines_of(r.stderr, "/project1/probe") == [msg, msg]


def test_gl_context_on_another_device_says_so(tmp_path, fake):
    r = probe(tmp_path, env={**fake, "FAKECUDA_GL": "0"})
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/probe")
    assert len(out) == 2 and out[0] == out[1], out
    assert out[0].startswith("RuntimeError CUDA is not available: the "
                             "OpenGL context (")
    assert out[0].endswith(") does not run on a CUDA device"), out


def checks_output(r):
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/checks")
    fails = [l for l in out if l.startswith(("FAIL", "error"))]
    assert not fails, "\n".join(fails)
    assert out and out[-1] == "DONE", r.stderr
    return out


def test_interop_against_the_fake_driver(fake):
    """Every check of tests/networks/cuda, including those only the
    stand-in can make: no default stream unless asked for, driver rules
    kept, no registration outliving its texture, bad addresses and
    streams refused with nothing left mapped."""
    r = run(*CHECKS, env=fake, timeout=600)
    assert "fakecuda: the test stand-in" in r.stderr, r.stderr
    assert "contract violation" not in r.stderr, r.stderr
    out = checks_output(r)
    passed = [l for l in out if l.startswith("PASS")]
    assert len(passed) == 50, out
    assert sum("(fake)" in l for l in passed) == 12, out


@pytest.mark.skipif(not has_cuda_driver(), reason="needs an NVIDIA GPU "
                    "with its driver: libcuda.so.1 cannot be loaded")
def test_interop_on_a_gpu():
    r = run(*CHECKS, timeout=600)
    out = lines_of(r.stderr, "/project1/checks")
    if out and out[0].startswith("SKIP "):
        pytest.skip("needs an NVIDIA GPU with its driver: " + out[0][5:])
    out = checks_output(r)
    assert len([l for l in out if l.startswith("PASS")]) == 38, out


FRAMEWORKS = ROOT / "tests" / "networks" / "cuda-frameworks"


@pytest.mark.skipif(not has_cuda_driver(), reason="needs an NVIDIA GPU "
                    "with its driver: libcuda.so.1 cannot be loaded")
def test_cupy_and_pytorch_on_a_gpu():
    """tests/networks/cuda-frameworks: CuPy's and PyTorch's arrays passed
    to copyCUDAMemory and wrapped around cudaMemory, and copies ordered on
    their streams behind a kernel still running; skipped where vitrine's
    interpreter has neither."""
    r = run("-c", str(FRAMEWORKS / "kiosk.ini"), "--headless", "--frames",
            "3", str(FRAMEWORKS), timeout=300)
    assert r.returncode == 0, r.stderr
    out = lines_of(r.stderr, "/project1/checks")
    fails = [l for l in out if l.startswith(("FAIL", "error"))]
    assert not fails, "\n".join(fails)
    if out and out[0].startswith("SKIP ") and len(out) == 1:
        pytest.skip("needs an NVIDIA GPU with its driver: " + out[0][5:])
    assert out and out[-1].startswith("DONE "), r.stderr
    if out[-1] == "DONE 0":
        pytest.skip("; ".join(l[5:] for l in out if l.startswith("SKIP")))
    assert any(l.startswith("PASS") for l in out), out


def example(tmp_path, name, env=None):
    png = tmp_path / (name + ".png")
    r = run("--headless", "--frames", "3", "--snapshot", str(png),
            "networks/cuda-interop", env=env, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "error" not in r.stderr, r.stderr
    return r.stderr, read_png(png)


def test_example_shows_the_same_picture_through_cuda_and_numpy(tmp_path,
                                                                 fake):
    """networks/cuda-interop: through the stand-in driver the picture comes
    from device memory; with no driver (CUDA=0 behaves the same) it comes
    from NumPy, with the warning and the red bar; otherwise the same."""
    log, (w, h, cuda_rows) = example(tmp_path, "cuda", fake)
    assert "CUDA: the field is on the GPU" in log, log
    log, (w2, h2, numpy_rows) = example(
        tmp_path, "numpy", {"LD_LIBRARY_PATH": str(tmp_path)})
    assert "warning: no CUDA (" in log, log
    assert (w, h) == (w2, h2) == (640, 360)
    bar = 12  # rows at the bottom
    for y in range(h):
        for x in range(0, w, 7):
            a, b = cuda_rows[y][x], numpy_rows[y][x]
            if y >= h - bar:
                assert b[:3] == (255, 0, 0), (x, y, b)
                assert a[:3] != (255, 0, 0), (x, y, a)
            else:
                assert max(abs(p - q) for p, q in zip(a, b)) <= 1, (x, y)
