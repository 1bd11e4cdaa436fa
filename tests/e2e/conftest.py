import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
VITRINE = os.environ.get("VITRINE", str(ROOT / "build" / "vitrine"))


def run(*args, timeout=30, env=None, **kw):
    """Runs the real binary; returns the CompletedProcess."""
    e = dict(os.environ)
    e.pop("JOURNAL_STREAM", None)
    if env:
        e.update(env)
    return subprocess.run([VITRINE, *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT, env=e, **kw)


@pytest.fixture
def vitrine():
    return run
