"""td: TouchDesigner's scripting API in vitrine.

The classes (OP and its families, Par, Channel, Page, ...) are thin views
over `_vitrine`, which reaches the running network in C: no value is
copied into Python and kept, so what a script reads is what the network
holds. The runners at the end are what the frame loop calls: they run
scripts and callbacks with TouchDesigner's globals, catch every error, and
record it on the op whose script raised it.
"""
import builtins
import enum
import fnmatch
import re
import sys
import traceback

import _vitrine as _vt

__all__ = [
    'OP', 'TOP', 'CHOP', 'DAT', 'COMP', 'scriptTOP', 'scriptCHOP', 'Par',
    'ParMode', 'Channel', 'Page', 'ParCollection', 'CUDAMemory',
    'CUDAMemoryShape', 'ScriptTimeout', 'op', 'ops', 'opex', 'parent',
    'absTime', 'mod', 'debug',
]


class ScriptTimeout(BaseException):
    """Raised inside a script that runs past its time budget. A
    BaseException, so that `except Exception` does not swallow it."""

    def __init__(self, *args):
        super().__init__(*(args or (
            "script ran past its budget of %g ms and was interrupted"
            % _vt.budget_ms(),)))


def _install_signals():
    """The budget's signal raises ScriptTimeout in the script that ran
    past its budget (py.c sends it), once any import it is inside has
    returned. The runtime's own signals stay the runtime's: SIGTERM and
    SIGINT stop it, SIGHUP reloads, and timers' signals would end it; a
    script asking for any of them, or for the signal mask, gets a
    RuntimeError that says so."""
    import signal
    import _signal

    def importing(frame):
        while frame is not None:
            if frame.f_code.co_filename.startswith('<frozen importlib.'):
                return True
            frame = frame.f_back
        return False

    def on_budget(signum, frame):
        # not inside an import: the module would stay half-imported
        if _vt.budget_expired() and not (importing(frame)
                                         and _vt.budget_defer()):
            raise ScriptTimeout()
    budget = _vt.budget_signal()
    _signal.signal(budget, on_budget)
    ours = {int(signal.SIGTERM): 'it stops vitrine cleanly',
            int(signal.SIGINT): 'it stops vitrine cleanly',
            int(signal.SIGHUP): 'it reloads the network',
            int(signal.SIGALRM): 'a timer signal would end vitrine',
            int(signal.SIGVTALRM): 'a timer signal would end vitrine',
            int(signal.SIGPROF): 'a timer signal would end vitrine',
            budget: "it carries the scripts' time budget"}
    real_signal = _signal.signal

    def refused(what):
        raise RuntimeError(
            "%s: the runtime keeps its signals to itself; for something "
            "later, use run('...', delayMilliSeconds=...)" % what)

    def guarded_signal(signalnum, handler):
        why = ours.get(int(signalnum))
        if why:
            refused("signal.signal(%s): %s" % (
                signal.Signals(int(signalnum)).name
                if int(signalnum) in signal.Signals._value2member_map_
                else int(signalnum), why))
        return real_signal(signalnum, handler)

    def guarded_alarm(seconds):
        refused("signal.alarm(): SIGALRM would end vitrine")

    def guarded_setitimer(which, seconds, interval=0.0):
        if seconds or interval:
            refused("signal.setitimer(): its signal would end vitrine")
        return _signal.getitimer(which)

    def guarded_mask(how, mask):
        refused("signal.pthread_sigmask()")
    for m in (signal, _signal):
        m.signal = guarded_signal
        m.alarm = guarded_alarm
        m.setitimer = guarded_setitimer
        m.pthread_sigmask = guarded_mask


def _stop_threads(timeout):
    """At exit: waits up to timeout seconds in all for the non-daemon
    threads scripts started; the names of those still running."""
    import threading
    import time
    end = time.monotonic() + timeout
    alive = []
    for t in threading.enumerate():
        if t is threading.main_thread() or t.daemon:
            continue
        t.join(max(0.0, end - time.monotonic()))
        if t.is_alive():
            alive.append(t.name)
    return alive


class ParMode(enum.Enum):
    CONSTANT = 0
    EXPRESSION = 1
    EXPORT = 2
    BIND = 3


# The op whose script, callback or expression is running: what `me`,
# op() and parent() are relative to.
_current = [0]
_objects = {}  # id -> OP view (one per op, so `is` works)
_find_cache = {}  # (base id, path) -> id


def _wrap(oid):
    """The OP view of an op id (None for 0)."""
    if not oid:
        return None
    o = _objects.get(oid)
    if o is None:
        info = _vt.info(oid)
        cls = _CLASSES.get(info[3]) or _FAMILIES.get(info[4], OP)
        o = cls.__new__(cls)
        object.__setattr__(o, '_id', oid)
        object.__setattr__(o, 'par', ParCollection(oid))
        _objects[oid] = o
    return o


def _find(base, path):
    key = (base, path)
    oid = _find_cache.get(key)
    if oid is None:
        oid = _vt.find(base, path)
        if oid:
            _find_cache[key] = oid
    return oid


def _forget():
    """Names or ops changed: drop the cached lookups."""
    _find_cache.clear()
    _vt.forget()


def _match(name, patterns):
    for p in patterns.split():
        if fnmatch.fnmatchcase(name, p):
            return True
    return False


def _lookup(base, args, many):
    """TouchDesigner's op()/ops(): paths, patterns, ids or OPs."""
    found = []
    for a in args:
        if isinstance(a, (_Cell, Par)):
            a = str(a)  # a table's cell or a parameter naming an op
        if isinstance(a, OP):
            found.append(a)
        elif isinstance(a, int):
            o = _wrap(a) if _vt.alive(a) else None
            if o is not None:
                found.append(o)
        elif isinstance(a, str):
            if any(c in a for c in '*?['):
                found.extend(_wrap(i) for i in _vt.find_all(base, a))
            else:
                o = _wrap(_find(base, a))
                if o is not None:
                    found.append(o)
        elif isinstance(a, (list, tuple)):
            found.extend(_lookup(base, a, True))
        else:
            raise TypeError("op() takes paths, patterns, ids or OPs, not %s"
                            % type(a).__name__)
        if found and not many:
            return found[:1]
    return found
