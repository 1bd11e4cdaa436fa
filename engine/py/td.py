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
    past its budget (py.c sends it). The runtime's own signals stay the
    runtime's: SIGTERM and SIGINT stop it, SIGHUP reloads, and timers'
    signals would end it; a script asking for any of them, or for the
    signal mask, gets a RuntimeError that says so."""
    import signal
    import _signal

    def on_budget(signum, frame):
        if _vt.budget_expired():
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


# ---------------------------------------------------------------- Par


def _value(v):
    """What a Par, Channel or OP stands for when assigned to a parameter."""
    if isinstance(v, (Par, Channel)):
        return v.eval()
    if isinstance(v, OP):
        return v.path
    return v


class Par:
    """One parameter of one op (TouchDesigner's Par class)."""
    __slots__ = ('_id', '_name', '_info')

    def __init__(self, oid, name):
        self._id = oid
        self._name = name
        self._info = None

    def _i(self):
        if self._info is None:
            self._info = _vt.par_info(self._id, self._name)
        return self._info

    # value
    def eval(self):
        v = _vt.par_get(self._id, self._name)
        kind = self._i()[0]
        if type(v) is tuple:  # EXPRESSION mode: evaluated here, raising
            v = _eval_par_expr(self._id, self._name, v[0])
            if kind in ('float', 'rgba'):
                return float(v)
            if kind == 'int':
                return int(round(float(v)))
            if kind in ('toggle', 'pulse'):
                return bool(v)
            if kind == 'op':
                return v if isinstance(v, OP) else \
                    _wrap(_find(self._id, str(v))) if v else None
            return v if kind == 'menu' and isinstance(v, str) else (
                self._i()[10][int(v)] if kind == 'menu' else str(v))
        if kind == 'op':
            return _wrap(_find(self._id, v)) if v else None
        return v

    @property
    def val(self):
        return self.eval()

    @val.setter
    def val(self, v):
        _vt.par_set(self._id, self._name, _value(v))

    @property
    def expr(self):
        m = _vt.par_mode(self._id, self._name)
        return m[1] or ''

    @expr.setter
    def expr(self, src):
        src = str(src)
        if not src.strip():  # no expression: the value it gave stays
            if self.mode == ParMode.EXPRESSION:
                self.mode = ParMode.CONSTANT
            return
        _vt.par_expr(self._id, self._name, src, False)

    @property
    def exportSource(self):
        return _vt.par_mode(self._id, self._name)[2]

    @property
    def mode(self):
        return ParMode(_vt.par_mode(self._id, self._name)[0])

    @mode.setter
    def mode(self, m):
        m = ParMode(m) if not isinstance(m, ParMode) else m
        cur = _vt.par_mode(self._id, self._name)
        if m == ParMode.CONSTANT:
            if cur[0] != 0:
                _vt.par_set(self._id, self._name, self.eval()
                            if self._i()[0] != 'op' else
                            _vt.par_get(self._id, self._name))
        elif m == ParMode.EXPRESSION:
            if not cur[1]:
                raise ValueError("%s: give %s an expression first (.expr = "
                                 "...)" % (self.owner.path, self._name))
            _vt.par_expr(self._id, self._name, cur[1], False)
        elif m == ParMode.EXPORT:
            if not cur[2]:
                raise ValueError("%s: %s has no export source"
                                 % (self.owner.path, self._name))
        else:
            raise ValueError("ParMode.BIND is not supported by vitrine")

    # description
    name = property(lambda self: self._name)
    owner = property(lambda self: _wrap(self._id))
    page = property(lambda self: Page(self._i()[2], self._id,
                                      self._i()[13]))
    style = property(lambda self: self._i()[14] or {
        'float': 'Float', 'int': 'Int', 'toggle': 'Toggle',
        'menu': 'Menu', 'string': 'Str', 'rgba': 'RGBA', 'op': 'OP',
        'file': 'File', 'pulse': 'Pulse'}[self._i()[0]])
    isNumber = property(lambda self: self._i()[0] in ('float', 'int', 'rgba'))
    isFloat = property(lambda self: self._i()[0] in ('float', 'rgba'))
    isInt = property(lambda self: self._i()[0] == 'int')
    isString = property(lambda self: self._i()[0] in ('string', 'file'))
    isToggle = property(lambda self: self._i()[0] == 'toggle')
    isMenu = property(lambda self: self._i()[0] == 'menu')
    isPulse = property(lambda self: self._i()[0] == 'pulse')
    isOP = property(lambda self: self._i()[0] == 'op')
    isCustom = property(lambda self: self._i()[13])
    isDefault = property(lambda self: self.mode == ParMode.CONSTANT
                         and self.eval() == self.default)
    readOnly = property(lambda self: False)
    enable = property(lambda self: True, lambda self, v: None)
    help = property(lambda self: '')

    # What a custom parameter's declaration holds can be set, as in
    # TouchDesigner; a built-in parameter's is fixed.
    def _declaration(self):
        """A custom parameter's declaration, as _declare() takes it."""
        i = self._i()
        return {'label': i[1], 'default': i[3], 'normMin': i[4],
                'normMax': i[5], 'min': i[6], 'max': i[7], 'clampMin': i[8],
                'clampMax': i[9], 'menuNames': list(i[10]),
                'menuLabels': list(i[11])}

    def _redefine(self, what, v):
        i = self._i()
        if not i[13]:
            raise AttributeError("%s: %s.%s can only be set on custom "
                                 "parameters" % (self.owner.path,
                                                 self._name, what))
        d = self._declaration()
        d[what] = v
        if what == 'menuNames' and len(d['menuLabels']) != len(v):
            d['menuLabels'] = [str(x) for x in v]
        _declare(self._id, i[15], i[14], d['label'], i[2], i[16], d, True)

    def _declared(what, index):
        return property(lambda self: self._i()[index],
                        lambda self, v: self._redefine(what, v))

    label = _declared('label', 1)
    default = _declared('default', 3)
    normMin = _declared('normMin', 4)
    normMax = _declared('normMax', 5)
    min = _declared('min', 6)
    max = _declared('max', 7)
    clampMin = _declared('clampMin', 8)
    clampMax = _declared('clampMax', 9)
    menuNames = property(lambda self: list(self._i()[10]),
                         lambda self, v: self._redefine(
                             'menuNames', [str(x) for x in v]))
    menuLabels = property(lambda self: list(self._i()[11]),
                          lambda self, v: self._redefine(
                              'menuLabels', [str(x) for x in v]))
    vecIndex = property(lambda self: self._i()[12])
    del _declared

    @property
    def menuIndex(self):
        if not self.isMenu:
            raise TypeError("%s: %s is not a menu" % (self.owner.path,
                                                      self._name))
        return self._i()[10].index(self.eval())

    @menuIndex.setter
    def menuIndex(self, i):
        _vt.par_set(self._id, self._name, int(i))

    @property
    def valid(self):
        return _vt.alive(self._id)

    def reset(self):
        _vt.par_reset(self._id, self._name, False)
        return True

    def pulse(self, value=None, frames=0, seconds=0):
        if self.isPulse and self.isCustom and isinstance(
                self.owner, _SCRIPT_OPS):
            # a script's pulse: its onPulse now, as TouchDesigner calls it
            key = (self._id, self._name)
            _pulsed_now[key] = _pulsed_now.get(key, 0) + 1
            _vt.par_reset(self._id, self._name, True)
            _run_callback(self.owner, 'onPulse', self)
        elif self.isPulse:
            _vt.par_reset(self._id, self._name, True)
        elif value is not None:
            self.val = value
        else:
            raise TypeError("%s: %s is not a pulse parameter"
                            % (self.owner.path, self._name))

    def evalExpression(self):
        return self.owner.evalExpression(self.expr) if self.expr else None

    # a Par stands for its value
    def __float__(self): return float(self.eval())
    def __int__(self): return int(self.eval())
    def __index__(self): return int(self.eval())
    def __bool__(self): return bool(self.eval())
    def __str__(self): return str(self.eval())
    def __round__(self, n=None): return round(self.eval(), n)
    def __abs__(self): return abs(self.eval())
    def __neg__(self): return -self.eval()
    def __pos__(self): return +self.eval()
    def __hash__(self): return hash((self._id, self._name))

    def __repr__(self):
        return "type:Par name:%s owner:%s value:%r" % (
            self._name, self.owner.path if self.valid else '<gone>',
            self.eval() if self.valid else None)

    # Two Pars compare by value, as TouchDesigner documents
    # (op('a').par.x == op('b').par.x); isPar() asks whether they are the
    # same parameter. hash() stays the parameter's identity.
    def __eq__(self, o):
        return self.eval() == (o.eval() if isinstance(o, (Par, Channel))
                               else o)

    def isPar(self, par):
        return isinstance(par, Par) and self._id == par._id \
            and self._name == par._name

    def __ne__(self, o): return not self.__eq__(o)
    def __lt__(self, o): return self.eval() < _value(o)
    def __le__(self, o): return self.eval() <= _value(o)
    def __gt__(self, o): return self.eval() > _value(o)
    def __ge__(self, o): return self.eval() >= _value(o)


def _arith(name, swap=False):
    op_ = getattr(__import__('operator'), name)
    if swap:
        return lambda self, o: op_(_value(o), self.eval())
    return lambda self, o: op_(self.eval(), _value(o))


_ARITH = ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow')
for _n in _ARITH:
    setattr(Par, '__%s__' % _n, _arith(_n))
    setattr(Par, '__r%s__' % _n, _arith(_n, True))


class ParCollection(_vt.ParsBase):
    """op.par: parameters by attribute or index (`op.par.size`,
    `op.par['size']`); assigning sets a value in CONSTANT mode (in C:
    _vitrine.ParsBase)."""

    def _get(self, name):
        p = self.__dict__.get(name)
        if p is None:
            # raises AttributeError if absent; an alias gives the real name
            real = _vt.par_mode(self._id, name)[3]
            p = self.__dict__.get(real) or Par(self._id, real)
            self.__dict__[name] = self.__dict__[real] = p
        return p

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return self._get(name)

    def __getitem__(self, name):
        return self._get(name)

    def __setitem__(self, name, value):
        self.__setattr__(name, value)

    def __iter__(self):
        return iter([self._get(n) for n in _vt.par_names(self._id)])

    def __len__(self):
        return len(_vt.par_names(self._id))

    def __contains__(self, name):
        return name in _vt.par_names(self._id) or \
            name in _vt.par_aliases(self._id)

    def __dir__(self):
        return _vt.par_names(self._id)

    def __repr__(self):
        return "<ParCollection of %s>" % _vt.info(self._id)[1]


class Page:
    """A page of parameters: built-in pages by name, and the custom pages
    of COMPs and Script ops."""

    def __init__(self, name, oid, custom=False):
        self.name = name
        self._id = oid
        self.isCustom = custom

    @property
    def owner(self):
        return _wrap(self._id)

    @property
    def pars(self):
        return [p for p in self.owner.par
                if p._i()[2] == self.name and p._i()[13] == self.isCustom]

    def __repr__(self):
        return "<Page %s of %s>" % (self.name, self.owner.path)

    def __eq__(self, o):
        return isinstance(o, Page) and o.name == self.name \
            and o._id == self._id

    def __hash__(self):
        return hash((self.name, self._id))

    def _append(self, style, name, label, size=1, replace=True):
        if not self.isCustom:
            raise TypeError("%s: parameters are appended to custom pages "
                            "(appendCustomPage())" % self.owner.path)
        return _declare(self._id, str(name), style, label, self.name, size,
                        {}, replace)

    def appendFloat(self, name, label=None, size=1, order=None,
                    replace=True):
        return self._append('Float', name, label, size, replace)

    def appendInt(self, name, label=None, size=1, order=None, replace=True):
        return self._append('Int', name, label, size, replace)

    def appendToggle(self, name, label=None, order=None, replace=True):
        return self._append('Toggle', name, label, 1, replace)

    def appendStr(self, name, label=None, order=None, replace=True):
        return self._append('Str', name, label, 1, replace)

    def appendMenu(self, name, label=None, order=None, replace=True):
        return self._append('Menu', name, label, 1, replace)

    def appendPulse(self, name, label=None, order=None, replace=True):
        return self._append('Pulse', name, label, 1, replace)

    def appendFile(self, name, label=None, order=None, replace=True):
        return self._append('File', name, label, 1, replace)

    def appendOP(self, name, label=None, order=None, replace=True):
        return self._append('OP', name, label, 1, replace)

    def destroy(self):
        """Removes a custom page with its parameters."""
        if not self.isCustom:
            raise TypeError("%s: built-in page %s cannot be destroyed"
                            % (self.owner.path, self.name))
        _vt.par_pages(self._id, 'remove', [self.name])


for _style in ('RGB', 'RGBA', 'XY', 'XYZ', 'XYZW', 'UV', 'UVW', 'WH',
               'COMP', 'TOP', 'CHOP', 'DAT'):
    setattr(Page, 'append' + _style, (lambda st: lambda self, name,
                                      label=None, order=None, replace=True:
                                      self._append(st, name, label, 1,
                                                   replace))(_style))


def _declare(oid, name, style, label, page, size, d, replace):
    """Declares (or redefines) a custom parameter group in C, where every
    parameter lives; returns its parameters."""
    default = d.get('default')
    texts = isinstance(default, str) or style in ('Str', 'File', 'OP',
                                                  'COMP', 'TOP', 'CHOP',
                                                  'DAT', 'Menu')
    nums = () if texts or default is None else (
        tuple(float(x) for x in default) if isinstance(default, (list,
                                                                 tuple))
        else (float(default),) * 4)
    lim = (float(d['min']), float(d['max'])) if 'min' in d else None
    norm = (float(d['normMin']), float(d['normMax'])) if 'normMin' in d \
        else None
    clamp = (1 if d.get('clampMin') else 0) | (2 if d.get('clampMax') else 0)
    names = _vt.par_custom_add(
        oid, name, style, label, page, int(size or 1), nums,
        str(default) if texts and default is not None else None, lim, clamp,
        norm, list(d.get('menuNames', [])), list(d.get('menuLabels', [])),
        bool(replace))
    o = _wrap(oid)
    for p in o.par.__dict__.values():  # declarations changed
        if isinstance(p, Par):
            p._info = None
    return [o.par[n] for n in names]


class _CustomPars:
    """What COMPs and Script ops have for custom parameters."""

    def appendCustomPage(self, name):
        _vt.par_pages(self._id, 'add', [str(name)])
        return Page(str(name), self._id, True)

    def destroyCustomPars(self):
        n = len(self.customPars)
        _vt.par_pages(self._id, 'clear', [])
        return n

    def sortCustomPages(self, *pages):
        _vt.par_pages(self._id, 'sort', [p.name if isinstance(p, Page)
                                         else str(p) for p in pages])


# ---------------------------------------------------------------- OP


class _Time:
    """op.time: the timeline the op runs on."""
    __slots__ = ('_id',)

    def __init__(self, oid):
        self._id = oid

    frame = property(lambda self: _vt.stats(self._id)[5])
    seconds = property(lambda self: _vt.stats(self._id)[6])
    rate = property(lambda self: _vt.stats(self._id)[7])
    absFrame = property(lambda self: _vt.abs_time()[0])
    absSeconds = property(lambda self: _vt.abs_time()[1])
    play = property(lambda self: True)

    def __repr__(self):
        return "<time frame %d, %.3f s at %g fps>" % (
            self.frame, self.seconds, self.rate)


class _AbsTime:
    frame = property(lambda self: _vt.abs_time()[0])
    seconds = property(lambda self: _vt.abs_time()[1])
    rate = property(lambda self: _vt.abs_time()[2])
    step = property(lambda self: 1)
    stepSeconds = property(lambda self: 1.0 / _vt.abs_time()[2])

    def __repr__(self):
        return "<absTime frame %d, %.3f s>" % (self.frame, self.seconds)


absTime = _AbsTime()


def _noop(*args, **kwargs):
    return None


_NO_DEFAULT = object()  # fetch() without a default raises


class OP:
    """Any operator (TouchDesigner's OP class). Views compare by identity:
    one view per op."""

    def __init__(self, *a, **k):
        raise TypeError("OPs come from op(), ops() or the network file")

    def __setattr__(self, name, value):
        if name in ('name', 'comment', 'color', 'bypass', 'lock', 'display',
                    'render', 'text', 'tags', 'storage', 'nodeX', 'nodeY',
                    'nodeWidth', 'nodeHeight', 'viewer', 'current',
                    'selected', 'expose', 'allowCooking', 'activeViewer',
                    'dock', 'showDocked', 'numSamples', 'rate', 'isTimeSlice',
                    'vals') or name.startswith('_') \
                or isinstance(getattr(type(self), name, None), property):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError("'%s' has no member '%s' (parameters are "
                                 "set through .par.%s)" % (
                                     type(self).__name__, name, name))

    # state kept in Python per op
    def _state(self):
        s = _state.get(self._id)
        if s is None:
            s = _state[self._id] = {
                'storage': {}, 'startup': {}, 'tags': set(),
                'comment': '', 'color': (0.55, 0.55, 0.55), 'bypass': False,
                'lock': False, 'display': False, 'render': False,
                'script_errors': [],
                'node': [0, 0, 200, 100]}
        return s

    # identity
    valid = property(lambda self: _vt.alive(self._id))
    id = property(lambda self: self._id)
    path = property(lambda self: _vt.info(self._id)[1])
    type = property(lambda self: _vt.info(self._id)[2])
    OPType = property(lambda self: _vt.info(self._id)[3])
    family = property(lambda self: _vt.info(self._id)[4])
    label = property(lambda self: _vt.info(self._id)[5])
    subType = property(lambda self: '')
    isTOP = property(lambda self: self.family == 'TOP')
    isCHOP = property(lambda self: self.family == 'CHOP')
    isDAT = property(lambda self: self.family == 'DAT')
    isCOMP = property(lambda self: self.family == 'COMP')
    isSOP = property(lambda self: False)
    isMAT = property(lambda self: False)
    isPanel = property(lambda self: False)
    isObject = property(lambda self: False)
    isBase = property(lambda self: self.OPType == 'baseCOMP')
    isFilter = property(lambda self: _vt.info(self._id)[7] > 0)
    minInputs = property(lambda self: _vt.info(self._id)[7])
    maxInputs = property(lambda self: (lambda m: 9999 if m < 0 else m)(
        _vt.info(self._id)[8]))
    isMultiInputs = property(lambda self: _vt.info(self._id)[8] < 0)
    passive = property(lambda self: False)
    filePath = property(lambda self: _vt.info(self._id)[10] or '')

    @property
    def fileFolder(self):
        f = self.filePath
        return f.rsplit('/', 1)[0] if '/' in f else ''

    @property
    def name(self):
        return _vt.info(self._id)[0]

    @name.setter
    def name(self, v):
        _vt.rename(self._id, str(v))
        _forget()

    @property
    def digits(self):
        m = re.search(r'(\d+)(?!.*\d)', self.name)
        return int(m.group(1)) if m else None

    @property
    def base(self):
        return re.match(r'[^\d]*', self.name).group(0)

    def __repr__(self):
        if not _vt.alive(self._id):
            return "<%s (deleted)>" % type(self).__name__
        return "type:%s path:%s" % (self.OPType, self.path)

    def __eq__(self, o):
        return isinstance(o, OP) and o._id == self._id

    def __hash__(self):
        return hash(self._id)

    def __bool__(self):
        return True  # an op is an op, even a CHOP with no channels

    # navigation
    def op(self, *paths):
        r = _lookup(self._id, paths, False)
        return r[0] if r else None

    def ops(self, *paths):
        return _lookup(self._id, paths, True)

    def opex(self, path):
        r = self.op(path)
        if r is None:
            raise ValueError("%s: no operator '%s'" % (self.path, path))
        return r

    def parent(self, n=1):
        o = self
        for _ in range(int(n)):
            pid = _vt.info(o._id)[6]
            if not pid:
                return None
            o = _wrap(pid)
        return o

    @property
    def children(self):
        return [_wrap(i) for i in _vt.links(self._id)[0]]

    numChildren = property(lambda self: len(_vt.links(self._id)[0]))

    @property
    def numChildrenRecursive(self):
        return sum(1 + c.numChildrenRecursive for c in self.children)

    def findChildren(self, name=None, type=None, depth=None, maxDepth=None,
                     tags=None, key=None, **kw):
        out = []

        def walk(o, d):
            for c in o.children:
                ok = (name is None or fnmatch.fnmatchcase(c.name, name)) \
                    and (type is None or isinstance(c, type)
                         if isinstance(type, builtins.type)
                         else type is None or c.OPType == type) \
                    and (depth is None or d == depth) \
                    and (tags is None or set(tags) & c.tags) \
                    and (key is None or key(c))
                if ok:
                    out.append(c)
                if maxDepth is None or d < maxDepth:
                    walk(c, d + 1)
        walk(self, 1)
        return out

    @property
    def inputs(self):
        return [_wrap(i) for i in _vt.links(self._id)[1]]

    @property
    def outputs(self):
        return [_wrap(i) for i in _vt.links(self._id)[2]]

    inputConnectors = property(lambda self: [])
    outputConnectors = property(lambda self: [])

    def setInputs(self, ops_):
        _vt.set_inputs(self._id, [o._id if isinstance(o, OP)
                                  else _find(self._id, o) for o in ops_])

    def relativePath(self, o):
        o = o if isinstance(o, OP) else self.op(o)
        mine = self.path.split('/')[:-1] if not self.isCOMP \
            else self.path.split('/')
        theirs = o.path.split('/')
        i = 0
        while i < min(len(mine), len(theirs)) and mine[i] == theirs[i]:
            i += 1
        return '/'.join(['..'] * (len(mine) - i) + theirs[i:]) or '.'

    def shortcutPath(self, o, toParName=None):
        o = o if isinstance(o, OP) else self.op(o)
        r = "op('%s')" % o.path
        return r + (".par.%s" % toParName if toParName else '')

    # time and cooking
    time = property(lambda self: _Time(self._id))

    def cook(self, force=False, recurse=False, includeUtility=False):
        _vt.cook(self._id, bool(force))
        if recurse:
            for c in self.children:
                c.cook(force, True)

    cookFrame = property(lambda self: _vt.stats(self._id)[1])
    cookTime = property(lambda self: _vt.stats(self._id)[2])
    cpuCookTime = property(lambda self: _vt.stats(self._id)[2])
    gpuCookTime = property(lambda self: 0.0)
    childrenCookTime = property(lambda self: sum(
        c.cookTime + c.childrenCookTime for c in self.children))
    childrenCPUCookTime = childrenCookTime
    totalCooks = property(lambda self: _vt.stats(self._id)[0])
    cookAbsFrame = property(lambda self: _vt.stats(self._id)[1])
    cookStartTime = property(lambda self: 0.0)
    cookEndTime = property(lambda self: 0.0)

    @property
    def cookedThisFrame(self):
        s = _vt.stats(self._id)
        return s[1] == s[5] and s[0] > 0

    @property
    def cookedPreviousFrame(self):
        s = _vt.stats(self._id)
        return s[1] == s[5] - 1 and s[0] > 0

    isCooking = property(lambda self: False)
    cpuMemory = property(lambda self: 0)
    gpuMemory = property(lambda self: 0)

    # errors
    def errors(self, recurse=False):
        s = _vt.stats(self._id)[3] or ''
        out = [s] if s else []
        out += [e for e in self._state()['script_errors'] if e not in out]
        if recurse:
            out += [e for c in self.children
                    for e in c.errors(True).split('\n') if e]
        return '\n'.join(out)

    def warnings(self, recurse=False):
        s = _vt.stats(self._id)[4] or ''
        out = [s] if s else []
        if recurse:
            out += [w for c in self.children
                    for w in c.warnings(True).split('\n') if w]
        return '\n'.join(out)

    def scriptErrors(self, recurse=False):
        out = list(self._state()['script_errors'])
        if recurse:
            out += [e for c in self.children
                    for e in c.scriptErrors(True).split('\n') if e]
        return '\n'.join(out)

    def addError(self, msg):
        _vt.set_error(self._id, str(msg), '', False)

    def addWarning(self, msg):
        _vt.set_error(self._id, str(msg), '', True)

    def addScriptError(self, msg):
        self._state()['script_errors'].append(str(msg))

    def clearScriptErrors(self, recurse=False, error='*'):
        st = self._state()
        st['script_errors'] = [e for e in st['script_errors']
                               if not fnmatch.fnmatchcase(e, error)]
        if recurse:
            for c in self.children:
                c.clearScriptErrors(True, error)

    # flags and looks (the editor's, kept so scripts may set and read them)
    def _flag(name):
        return property(lambda self: self._state()[name],
                        lambda self, v: self._state().__setitem__(name, v))

    comment = _flag('comment')
    bypass = _flag('bypass')
    lock = _flag('lock')
    display = _flag('display')
    render = _flag('render')

    @property
    def color(self):
        return self._state()['color']

    @color.setter
    def color(self, v):
        self._state()['color'] = tuple(float(c) for c in v)[:3]

    @property
    def tags(self):
        return self._state()['tags']

    @tags.setter
    def tags(self, v):
        self._state()['tags'] = set(v)

    def _node(i):
        return property(lambda self: self._state()['node'][i],
                        lambda self, v: self._state()['node'].__setitem__(
                            i, v))

    nodeX, nodeY, nodeWidth, nodeHeight = (_node(0), _node(1), _node(2),
                                           _node(3))
    nodeCenterX = property(lambda self: self.nodeX + self.nodeWidth / 2)
    nodeCenterY = property(lambda self: self.nodeY + self.nodeHeight / 2)
    viewer = _flag('display')
    current = property(lambda self: False, lambda self, v: None)
    selected = property(lambda self: False, lambda self, v: None)
    expose = property(lambda self: True, lambda self, v: None)
    activeViewer = property(lambda self: False, lambda self, v: None)
    allowCooking = property(lambda self: True, lambda self, v: None)
    dock = property(lambda self: None, lambda self, v: None)
    docked = property(lambda self: [])
    isPrivate = property(lambda self: False)
    isPrivacyActive = property(lambda self: False)
    isPrivacyLicensed = property(lambda self: False)
    # the editor's only: accepted, do nothing
    openViewer = closeViewer = openParameters = resetNodeSize = _noop
    var = lambda self, name, search=True: ''  # noqa: E731
    dependenciesTo = lambda self, *a, **k: []  # noqa: E731

    # parameters
    def pars(self, *patterns):
        pats = tuple(str(p) for p in patterns) or ('*',)  # Cells too
        # a pattern may name a parameter by its alias ('brightness')
        also = {}
        for a, n in _vt.par_aliases(self._id).items():
            also.setdefault(n, []).append(a)
        return [p for p in self.par if any(
            fnmatch.fnmatchcase(n, x) for x in pats
            for n in [p.name] + also.get(p.name, []))]

    builtinPars = property(lambda self: [p for p in self.par
                                         if not p.isCustom])
    customPars = property(lambda self: [p for p in self.par if p.isCustom])
    customPages = property(lambda self: [
        Page(n, self._id, True) for n in _vt.par_pages(self._id, '', [])])

    @property
    def pages(self):
        seen = []
        for p in self.builtinPars:
            n = p._i()[2]
            if n not in seen:
                seen.append(n)
        return [Page(n, self._id) for n in seen]

    def resetPars(self, parNames='*', parGroupNames='*', pageNames='*',
                  includeBuiltin=True, includeCustom=True):
        for p in self.par:
            if (includeCustom if p.isCustom else includeBuiltin) and \
                    _match(p.name, parNames) and _match(p._i()[2], pageNames):
                p.reset()
        return True

    def copyParameters(self, o, custom=True, builtin=True):
        _copy_values(o, self, custom, builtin)

    def evalExpression(self, expr):
        return _eval_as(self, expr)

    # storage
    @property
    def storage(self):
        return self._state()['storage']

    @storage.setter
    def storage(self, v):
        self._state()['storage'] = dict(v)

    def store(self, key, value):
        _storage_room(self._id, key, value)
        self.storage[key] = value
        return value

    def fetch(self, key, default=_NO_DEFAULT, search=True,
              storeDefault=False):
        o = self
        while o is not None:
            if key in o.storage:
                return o.storage[key]
            if not search:
                break
            o = o.parent()
        if default is _NO_DEFAULT:
            raise KeyError("%s: no stored '%s'" % (self.path, key))
        if storeDefault:
            self.store(key, default)
        return default

    def fetchOwner(self, key):
        o = self
        while o is not None:
            if key in o.storage:
                return o
            o = o.parent()
        return None

    def unstore(self, keys1, *morekeys):
        for pat in (keys1,) + morekeys:
            for k in [k for k in self.storage
                      if fnmatch.fnmatchcase(str(k), str(pat))]:
                del self.storage[k]

    def storeStartupValue(self, key, value):
        self._state()['startup'][key] = value

    def unstoreStartupValue(self, *keys):
        st = self._state()['startup']
        for pat in keys:
            for k in [k for k in st if fnmatch.fnmatchcase(str(k), pat)]:
                del st[k]

    # editing the network
    def destroy(self):
        _vt.destroy(self._id)
        _state.pop(self._id, None)
        _objects.pop(self._id, None)
        _forget()

    def changeType(self, optype):
        """A new op of another type in its place: same name, the
        parameters both types have, the same inputs and outputs. Returns
        it; this one is destroyed. Lasts until the network loads again."""
        t = _optype_name(optype)
        p = self.parent()
        if p is None:
            raise ValueError("%s: the root's type cannot change" % self.path)
        name, ins = self.name, self.inputs
        outs = [(o, o.inputs) for o in self.outputs]
        shown = _vt.output() == self._id
        new = p.create(t, _free_name(p, name + '_'))
        if isinstance(new, _CustomPars):
            _copy_declarations(self, new)
        _copy_values(self, new, fitting=True)
        if ins:
            new.setInputs(ins)
        self.destroy()
        new.name = name
        if shown and new.isTOP:
            _vt.output(new._id)
        for o, was in outs:
            o.setInputs([new if i is self else i for i in was])
        return new

    def __getstate__(self):
        return {'path': self.path}

    def __setstate__(self, state):
        o = _wrap(_vt.find(_vt.root(), state['path']))
        if o is None:
            raise ValueError("no operator %s" % state['path'])
        object.__setattr__(self, '_id', o._id)
        object.__setattr__(self, 'par', ParCollection(o._id))

    @property
    def mod(self):
        return _Mod(self._id)

    @property
    def ext(self):
        return _ExtSearch(self)


_state = {}  # op id -> the Python-side state of OP._state()


class _ExtSearch:
    """op.ext: extensions by name, of the op (a COMP) and its parents."""
    __slots__ = ('_o',)

    def __init__(self, o):
        self._o = o

    def __getattr__(self, name):
        o = self._o
        while o is not None:
            for n, obj, _ in _extensions(o):
                if n == name:
                    return obj
            o = o.parent()
        raise AttributeError("%s: no extension '%s' here or in a parent"
                             % (self._o.path, name))

    def __dir__(self):
        return [n for n, _, _ in _extensions(self._o)]


# ---------------------------------------------------------------- CHOP


class Channel(_vt.ChannelBase):
    """One channel of a CHOP; stands for its value (the last sample).
    eval() and float() are _vitrine.ChannelBase's."""
    __slots__ = ()

    owner = property(lambda self: _wrap(self._id))
    index = property(lambda self: self._index)
    name = property(lambda self: _vt.chop_info(self._id)[0][self._index])
    valid = property(lambda self: _vt.alive(self._id))

    @property
    def vals(self):
        info = _vt.chop_info(self._id)
        n = info[1]
        import array
        a = array.array('d')
        a.frombytes(_vt.chop_samples(self._id))
        return list(a[self._index * n:(self._index + 1) * n])

    def numpyArray(self):
        import numpy
        return numpy.array(self.vals, dtype=numpy.float32)

    def __getitem__(self, i):
        return self.vals[i]

    def __len__(self):
        return _vt.chop_info(self._id)[1]

    def __int__(self): return int(self.eval())
    def __bool__(self): return bool(self.eval())
    def __str__(self): return str(self.eval())
    def __round__(self, n=None): return round(self.eval(), n)
    def __abs__(self): return abs(self.eval())
    def __neg__(self): return -self.eval()
    def __pos__(self): return +self.eval()
    def __hash__(self): return hash((self._id, self._index))

    def __eq__(self, o):  # by value, like Par
        return self.eval() == (o.eval() if isinstance(o, (Par, Channel))
                               else o)

    def __ne__(self, o): return not self.__eq__(o)
    def __lt__(self, o): return self.eval() < _value(o)
    def __le__(self, o): return self.eval() <= _value(o)
    def __gt__(self, o): return self.eval() > _value(o)
    def __ge__(self, o): return self.eval() >= _value(o)

    def __repr__(self):
        return "type:Channel name:%s owner:%s value:%r" % (
            self.name, self.owner.path, self.eval())


for _n in _ARITH:
    setattr(Channel, '__%s__' % _n, _arith(_n))
    setattr(Channel, '__r%s__' % _n, _arith(_n, True))


class CHOP(_vt.ChopBase, OP):
    """A CHOP: channels of samples. `c[0]`, `c['chan1']` (in C:
    _vitrine.ChopBase), `c.chan1`."""

    def _index(self, key):
        if isinstance(key, int):
            n = len(_vt.chop_info(self._id)[0])
            if key < 0:
                key += n
            if not 0 <= key < n:
                raise IndexError("%s has %d channel%s; there is no channel "
                                 "%d" % (self.path, n, '' if n == 1 else 's',
                                         key))
            return key
        i = _vt.chop_index(self._id, str(key))
        return None if i < 0 else i

    def __getattr__(self, name):
        if name.startswith('_'):
            raise AttributeError(name)
        i = _vt.chop_index(self._id, name)
        if i < 0:
            raise AttributeError("%s (%s) has no member or channel '%s'"
                                 % (self.path, self.OPType, name))
        return Channel(self._id, i)

    def __len__(self):
        return len(_vt.chop_info(self._id)[0])

    def __iter__(self):
        return iter(self.chans())

    def chan(self, *patterns, caseSensitive=True):
        c = self.chans(*patterns, caseSensitive=caseSensitive)
        return c[0] if c else None

    def chans(self, *patterns, caseSensitive=True):
        names = _vt.chop_info(self._id)[0]
        pats = []
        for p in patterns or ('*',):
            if isinstance(p, int):
                pats.append(p)
            else:
                pats.extend(str(p).split())
        out = []
        for i, n in enumerate(names):
            for p in pats:
                if isinstance(p, int):
                    hit = p == i
                elif caseSensitive:
                    hit = fnmatch.fnmatchcase(n, p)
                else:
                    hit = fnmatch.fnmatchcase(n.lower(), p.lower())
                if hit:
                    out.append(Channel(self._id, i))
                    break
        return out

    numChans = property(lambda self: len(_vt.chop_info(self._id)[0]))
    numSamples = property(lambda self: _vt.chop_info(self._id)[1])
    rate = property(lambda self: _vt.chop_info(self._id)[2])
    start = property(lambda self: 0)
    end = property(lambda self: max(0, self.numSamples - 1))
    isTimeSlice = property(lambda self: False)
    exportChanges = property(lambda self: 0)

    @property
    def vals(self):
        return [c.eval() for c in self.chans()]

    def numpyArray(self):
        import numpy
        names, n, _ = _vt.chop_info(self._id)
        a = numpy.frombuffer(_vt.chop_samples(self._id), dtype=numpy.float64)
        return a.reshape(len(names), n).astype(numpy.float32)

    def convertToKeyframes(self, tolerance=0.1):
        raise NotImplementedError("convertToKeyframes: vitrine has no "
                                  "animation COMP")

    def save(self, filepath, createFolders=False):
        import os
        if createFolders:
            os.makedirs(os.path.dirname(os.path.abspath(filepath)),
                        exist_ok=True)
        a = self.numpyArray()
        with open(filepath, 'w') as f:
            names = _vt.chop_info(self._id)[0]
            f.write('\t'.join(names) + '\n')
            for s in range(a.shape[1] if a.ndim == 2 else 0):
                f.write('\t'.join('%g' % a[c, s] for c in range(a.shape[0]))
                        + '\n')
        return filepath


# Samples a channel of a Script CHOP may hold: 16.7 million (128 MB of
# doubles); beyond, one mistyped number would stop the frames for good.
_MAX_SAMPLES = 1 << 24


class scriptCHOP(CHOP, _CustomPars):
    """A Script CHOP: onCook(scriptOp) builds its channels with clear(),
    appendChan(), numSamples and copyNumpyArray()."""

    def _out(self):
        s = self._state()
        if 'out' not in s:
            s['out'] = {'names': [], 'vals': [], 'n': 1, 'rate': None}
        return s['out']

    def clear(self):
        o = self._out()
        o['names'], o['vals'] = [], []

    def appendChan(self, name):
        o = self._out()
        if name in o['names']:
            raise ValueError("%s already has a channel '%s'"
                             % (self.path, name))
        o['names'].append(str(name))
        o['vals'].append([0.0] * o['n'])
        return _ScriptChannel(self, len(o['names']) - 1)

    @property
    def numSamples(self):
        if _cooking_script[-1:] == [self._id]:
            return self._out()['n']
        return _vt.chop_info(self._id)[1]

    @numSamples.setter
    def numSamples(self, n):
        n = int(n)
        if not 1 <= n <= _MAX_SAMPLES:
            raise ValueError("%s: numSamples must be from 1 to %d, not %d"
                             % (self.path, _MAX_SAMPLES, n))
        o = self._out()
        o['n'] = n
        o['vals'] = [(v + [0.0] * n)[:n] for v in o['vals']]

    @property
    def rate(self):
        r = self._out()['rate']
        return r if r is not None else _vt.chop_info(self._id)[2]

    @rate.setter
    def rate(self, r):
        self._out()['rate'] = float(r)

    def __getitem__(self, key):
        if _cooking_script[-1:] == [self._id]:
            o = self._out()
            i = key if isinstance(key, int) else (
                o['names'].index(key) if key in o['names'] else None)
            if i is None or not -len(o['names']) <= i < len(o['names']):
                return None
            return _ScriptChannel(self, i % len(o['names']))
        return _vt.ChopBase.__getitem__(self, key)

    def copyNumpyArray(self, arr, baseName='chan'):
        import numpy
        a = numpy.asarray(arr, dtype=numpy.float64)
        if a.ndim == 1:
            a = a.reshape(1, -1)
        if a.ndim != 2:
            raise ValueError("%s: copyNumpyArray takes (channels, samples), "
                             "not shape %s" % (self.path, a.shape))
        o = self._out()
        o['n'] = a.shape[1]
        old = o['names']
        o['names'] = [old[i] if i < len(old) else '%s%d' % (baseName, i + 1)
                      for i in range(a.shape[0])]
        o['vals'] = [list(r) for r in a]

    def _commit(self):
        import array
        o = self._out()
        buf = array.array('d')
        for v in o['vals']:
            buf.extend(v)
        rate = o['rate'] if o['rate'] is not None else \
            _vt.stats(self._id)[7]
        _vt.chop_store(self._id, list(o['names']), o['n'], rate,
                       buf.tobytes())


class _ScriptChannel:
    """A channel of a Script CHOP while it cooks: writable."""
    __slots__ = ('_op', '_i')

    def __init__(self, o, i):
        self._op, self._i = o, i

    def _v(self):
        return self._op._out()['vals'][self._i]

    name = property(lambda self: self._op._out()['names'][self._i])
    index = property(lambda self: self._i)
    owner = property(lambda self: self._op)

    @property
    def vals(self):
        return list(self._v())

    @vals.setter
    def vals(self, values):
        o = self._op._out()
        v = [float(x) for x in values]
        if len(v) != o['n']:
            raise ValueError("%s: %d values for %d samples (set numSamples "
                             "first)" % (self._op.path, len(v), o['n']))
        o['vals'][self._i] = v

    def __getitem__(self, i):
        return self._v()[i]

    def __setitem__(self, i, v):
        self._v()[i] = float(_value(v))

    def __len__(self):
        return len(self._v())

    def eval(self):
        return self._v()[-1]

    def __float__(self):
        return float(self.eval())


# ---------------------------------------------------------------- DAT


class _Cell(_vt.CellBase):
    """One cell of a table DAT (TouchDesigner's Cell): its `val` reads and
    writes the table; it computes and compares like its value. Its value
    and place (_val, row, col, _dat) are _vitrine.CellBase's, which makes
    cells without running Python."""
    __slots__ = ()

    @property
    def val(self):
        return self._val

    @val.setter
    def val(self, v):
        if self._dat is None:
            raise AttributeError("this cell belongs to no table")
        self._dat[self.row, self.col] = v
        self._val = str(_value(v))

    def _num(self):
        v = self._val
        try:
            return int(v)
        except ValueError:
            return float(v)

    def __str__(self): return self._val
    def __repr__(self): return "type:Cell cell:(%d, %d) val:%r" % (
        self.row, self.col, self._val)
    def __float__(self): return float(self._val)
    def __int__(self): return int(float(self._val))
    def __bool__(self): return bool(self._val)

    def __eq__(self, o):
        o = o._val if isinstance(o, _Cell) else o
        if isinstance(o, (int, float)) and not isinstance(o, bool):
            try:
                return self._num() == o
            except ValueError:
                return False
        return self._val == o

    def __ne__(self, o): return not self.__eq__(o)
    def __hash__(self): return hash(self._val)

    def _other(self, o):
        return o._num() if isinstance(o, _Cell) else o

    def __lt__(self, o):
        o = self._other(o)
        return (self._num() if isinstance(o, (int, float)) else self._val) < o

    def __le__(self, o): return self < o or self == o
    def __gt__(self, o): return not self <= o
    def __ge__(self, o): return not self < o
    def __add__(self, o):
        o = self._other(o)
        return self._val + o if isinstance(o, str) else self._num() + o
    def __radd__(self, o):
        return o + self._val if isinstance(o, str) else o + self._num()
    def __sub__(self, o): return self._num() - self._other(o)
    def __rsub__(self, o): return o - self._num()
    def __mul__(self, o): return self._num() * self._other(o)
    def __rmul__(self, o): return o * self._num()
    def __truediv__(self, o): return self._num() / self._other(o)
    def __rtruediv__(self, o): return o / self._num()
    def __neg__(self): return -self._num()
    def __abs__(self): return abs(self._num())
    def __round__(self, n=None): return round(self._num(), n)


def _cell_text(v):
    v = _value(v)
    return v._val if isinstance(v, _Cell) else str(v)


class DAT(_vt.DatBase, OP):
    """A DAT: text, or a table of cells."""

    def _rows(self):
        t = _vt.dat_table(self._id)
        if t is None:
            t = [[line] for line in _vt.dat_text(self._id).split('\n')]
            if t and t[-1] == ['']:
                t.pop()
        return t

    @property
    def text(self):
        return _vt.dat_text(self._id)

    @text.setter
    def text(self, v):
        if 'text' in _vt.par_names(self._id):
            if 'file' in _vt.par_names(self._id):
                _vt.par_set(self._id, 'file', '')
            _vt.par_set(self._id, 'text', str(v))
            _vt.cook(self._id, True)
        else:
            raise AttributeError("%s (%s): its text comes from its "
                                 "parameters" % (self.path, self.OPType))

    numRows = property(lambda self: len(self._rows()))
    numCols = property(lambda self: max((len(r) for r in self._rows()),
                                        default=0))
    isTable = property(lambda self: _vt.dat_table(self._id) is not None)
    isText = property(lambda self: _vt.dat_table(self._id) is None)

    def _ri(self, rows, key, col=False):
        if isinstance(key, _Cell):
            key = key.val
        if isinstance(key, int):
            return key
        key = str(key)
        if col:
            return rows[0].index(key) if rows and key in rows[0] else None
        for i, r in enumerate(rows):
            if r and r[0] == key:
                return i
        return None

    # dat[r, c] of a table by index or name (and dat[r, c] = text where
    # its type edits cells in place) are _vitrine.DatBase's; the rest is
    # here: Cells as keys, rows, text DATs
    def _getitem(self, key):
        rows = self._rows()
        if isinstance(key, tuple):
            r, c = key
            ri, ci = self._ri(rows, r), self._ri(rows, c, True)
            if ri is None or ci is None or not 0 <= ri < len(rows) \
                    or not 0 <= ci < len(rows[ri]):
                return None
            return _Cell(rows[ri][ci], ri, ci, self)
        ri = self._ri(rows, key)
        return None if ri is None or ri >= len(rows) else rows[ri]

    def cell(self, r, c):
        return self[r, c]

    def row(self, *keys):
        rows = self._rows()
        for k in keys:
            i = self._ri(rows, k)
            if i is not None and 0 <= i < len(rows):
                return [_Cell(v, i, j, self) for j, v in enumerate(rows[i])]
        return None

    def col(self, *keys):
        rows = self._rows()
        for k in keys:
            j = self._ri(rows, k, True)
            if j is not None:
                return [_Cell(r[j] if j < len(r) else '', i, j, self)
                        for i, r in enumerate(rows)]
        return None

    def rows(self, *a):
        rows = self._rows()
        return [[_Cell(v, i, j, self) for j, v in enumerate(r)]
                for i, r in enumerate(rows)]

    # ---- editing a table (its text parameter holds the rows)

    def _put(self, rows):
        if not self.isTable and 'text' not in _vt.par_names(self._id):
            raise AttributeError("%s (%s): its cells come from its "
                                 "parameters" % (self.path, self.OPType))
        width = max((len(r) for r in rows), default=0)
        self.text = ''.join('\t'.join(r + [''] * (width - len(r))) + '\n'
                            for r in rows)

    def _index(self, rows, key, col=False):
        i = self._ri(rows, key, col)
        n = (max((len(r) for r in rows), default=0) if col else len(rows))
        if i is None or not -n <= i < n:
            raise IndexError("%s: no %s %r" % (self.path,
                                                'column' if col else 'row',
                                                key))
        return i % n

    def _delitem(self, key):
        raise TypeError("%s: cells are not deleted; deleteRow() and "
                        "deleteCol() remove rows and columns" % self.path)

    def _setitem(self, key, value):
        if not isinstance(key, tuple):
            raise TypeError("%s: a cell is dat[row, col]" % self.path)
        if len(key) == 2 and type(key[0]) is int and type(key[1]) is int \
                and key[0] >= 0 and key[1] >= 0 and _vt.dat_set_cell(
                    self._id, key[0], key[1], _cell_text(value)):
            return  # edited in place by its type
        rows = self._rows()
        r = self._index(rows, key[0])
        c = self._index(rows, key[1], True)
        rows[r] += [''] * (c + 1 - len(rows[r]))
        rows[r][c] = _cell_text(value)
        self._put(rows)

    def appendRow(self, cells=(), nameOrIndex=None, sort=None):
        return self.insertRow(cells, len(self._rows()) if nameOrIndex is None
                              else nameOrIndex, sort)

    def appendRows(self, cellsList, nameOrIndex=None, sort=None):
        return [self.appendRow(c, nameOrIndex, sort) for c in cellsList]

    def insertRow(self, cells=(), nameOrIndex=0, sort=None):
        rows = self._rows()
        at = nameOrIndex if isinstance(nameOrIndex, int) else \
            self._index(rows, nameOrIndex)
        at = max(0, min(at, len(rows)))
        rows.insert(at, [_cell_text(c) for c in (
            cells if isinstance(cells, (list, tuple)) else [cells])])
        self._put(rows)
        return at

    def appendCol(self, cells=(), nameOrIndex=None, sort=None):
        rows = self._rows()
        width = max((len(r) for r in rows), default=0)
        return self.insertCol(cells, width if nameOrIndex is None
                              else nameOrIndex, sort)

    def insertCol(self, cells=(), nameOrIndex=0, sort=None):
        rows = self._rows()
        width = max((len(r) for r in rows), default=0)
        at = nameOrIndex if isinstance(nameOrIndex, int) else \
            self._index(rows, nameOrIndex, True)
        at = max(0, min(at, width))
        cells = [_cell_text(c) for c in (
            cells if isinstance(cells, (list, tuple)) else [cells])]
        while len(rows) < len(cells):
            rows.append([])
        for i, r in enumerate(rows):
            r += [''] * (width - len(r))
            r.insert(at, cells[i] if i < len(cells) else '')
        self._put(rows)
        return at

    def deleteRow(self, nameOrIndex):
        rows = self._rows()
        del rows[self._index(rows, nameOrIndex)]
        self._put(rows)

    def deleteCol(self, nameOrIndex):
        rows = self._rows()
        c = self._index(rows, nameOrIndex, True)
        for r in rows:
            if c < len(r):
                del r[c]
        self._put(rows)

    def replaceRow(self, nameOrIndex, cells, entireRow=True):
        rows = self._rows()
        r = self._index(rows, nameOrIndex)
        new = [_cell_text(c) for c in cells]
        rows[r] = new if entireRow else new + rows[r][len(new):]
        self._put(rows)
        return r

    def replaceCol(self, nameOrIndex, cells, entireCol=True):
        rows = self._rows()
        c = self._index(rows, nameOrIndex, True)
        for i, r in enumerate(rows):
            if i < len(cells) or entireCol:
                r += [''] * (c + 1 - len(r))
                r[c] = _cell_text(cells[i]) if i < len(cells) else ''
        self._put(rows)
        return c

    def setSize(self, numrows, numcols):
        rows = self._rows()[:max(0, int(numrows))]
        rows += [[] for _ in range(int(numrows) - len(rows))]
        self._put([(r + [''] * int(numcols))[:int(numcols)] for r in rows])

    def findCell(self, pattern, rows=None, cols=None, valuePattern=True,
                 caseSensitive=False):
        found = self.findCells(pattern, rows, cols, valuePattern,
                               caseSensitive)
        return found[0] if found else None

    def findCells(self, pattern, rows=None, cols=None, valuePattern=True,
                  caseSensitive=False):
        table = self._rows()
        rs = range(len(table)) if rows is None else \
            [self._ri(table, r) for r in rows]
        width = max((len(r) for r in table), default=0)
        cs = range(width) if cols is None else \
            [self._ri(table, c, True) for c in cols]
        pat = str(pattern)
        match = (fnmatch.fnmatchcase if caseSensitive else
                 lambda v, p: fnmatch.fnmatch(v.lower(), p.lower()))
        out = []
        for r in rs:
            for c in cs:
                if r is None or c is None or c >= len(table[r]):
                    continue
                v = table[r][c]
                if (match(v, pat) if valuePattern else v == pat):
                    out.append(_Cell(v, r, c, self))
        return out

    def run(self, *args, **kw):
        """Runs the DAT's text as a script now; returns None."""
        _run_text(self, args)

    @property
    def module(self):
        return _module_of(self)

    def write(self, *args):
        self.text = self.text + ''.join(str(a) for a in args)

    def clear(self, keepSize=False, keepFirstRow=False, keepFirstCol=False):
        """Empties the DAT: a table keeps its first row and/or column when
        asked, and its size with empty cells with keepSize."""
        if not self.isTable:
            self.text = ''
            return
        rows = self._rows()
        width = max((len(r) for r in rows), default=0)
        out = []
        for i, r in enumerate(rows):
            if keepFirstRow and i == 0:
                out.append(r)
            elif keepSize or keepFirstCol:
                first = r[:1] if keepFirstCol and r else []
                out.append(first + [''] * ((width if keepSize else
                                            len(first)) - len(first)))
        self._put([r for r in out if keepSize or r])


# ---------------------------------------------------------------- TOP


class scriptDAT(DAT, _CustomPars):
    """A Script DAT: its callbacks' onCook(scriptOp) makes the table with
    the table methods (clear, appendRow, [r, c] = v, ...) or `text`."""

    def _put(self, rows):
        width = max((len(r) for r in rows), default=0)
        _vt.dat_put(self._id, [[str(c) for c in r] + [''] * (width - len(r))
                               for r in rows])

    text = property(DAT.text.fget,
                    lambda self, v: _vt.dat_put(self._id, str(v)))


class CUDAMemoryShape:
    """Describes CUDA memory as an image: width, height, numComps and
    dataType (numpy.uint8, uint16 or float32). For uint8 with 4 components
    the channel order is BGRA, as TouchDesigner has it; RGBA otherwise."""

    def __init__(self, width=0, height=0, numComps=4, dataType=None):
        import numpy
        self.width, self.height, self.numComps = width, height, numComps
        self.dataType = numpy.dtype(dataType if dataType is not None
                                    else numpy.uint8)
        self.depth = 1
        self.isCube = self.is3D = False

    @property
    def dataType(self):
        return self._dtype

    @dataType.setter
    def dataType(self, v):
        import numpy
        self._dtype = numpy.dtype(v)

    def __repr__(self):
        return "CUDAMemoryShape(width=%d, height=%d, numComps=%d, " \
            "dataType=%s)" % (self.width, self.height, self.numComps,
                              self._dtype.name)


_ELEMS = {'uint8': 0, 'uint16': 1, 'float32': 2}
_ELEM_TYPES = ('uint8', 'uint16', 'float32')


class CUDAMemory:
    """Device memory holding a TOP's image (from TOP.cudaMemory()); freed
    when this object is collected. Exposes __cuda_array_interface__ (with
    the stream it was filled on), so CuPy, PyTorch and Numba take it as an
    array."""

    def __init__(self, ptr, size, shape, stream=None):
        self._ptr, self._size, self._shape = ptr, size, shape
        self._stream = stream

    ptr = property(lambda self: self._ptr)
    size = property(lambda self: self._size)
    shape = property(lambda self: self._shape)

    @property
    def __cuda_array_interface__(self):
        s = self._shape
        # Version 3's stream: where a consumer waits; 0 is not allowed, the
        # legacy default stream is 1.
        stream = self._stream
        if stream == 0:
            stream = 1
        return {'shape': (s.height, s.width, s.numComps),
                'typestr': s.dataType.str, 'data': (self._ptr, False),
                'version': 3, 'strides': None, 'stream': stream}

    def __del__(self):
        if self._ptr:
            _vt.cuda_free(self._ptr)
            self._ptr = 0

    def __repr__(self):
        return "CUDAMemory(ptr=0x%x, size=%d, %r)" % (self._ptr, self._size,
                                                      self._shape)


def _stream_handle(stream):
    """A CUDA stream as a handle: an int (0 is the legacy default stream),
    or CuPy's (.ptr) and PyTorch's (.cuda_stream) stream objects; None is
    vitrine's own stream."""
    if stream is None:
        return None
    for attr in ('cuda_stream', 'ptr', 'handle'):
        v = getattr(stream, attr, None)
        if isinstance(v, int):
            return v
    if isinstance(stream, int):
        return stream
    raise TypeError("stream must be a CUDA stream handle (an int) or a "
                    "CuPy or PyTorch stream, not %s" % type(stream).__name__)


def _cuda_check(o):
    ok, why = _vt.cuda_ready()
    if not ok:
        raise RuntimeError("CUDA is not available: %s" % why)


class TOP(OP):
    """A TOP: an image on the GPU."""

    def _ti(self):
        i = _vt.top_info(self._id)
        if i is None:
            return (0, 0, 0, 1.0, '', 0, 0)
        return i

    width = property(lambda self: self._ti()[0])
    height = property(lambda self: self._ti()[1])
    depth = property(lambda self: self._ti()[2])
    aspect = property(lambda self: self._ti()[3])
    aspectWidth = property(lambda self: self._ti()[3])
    aspectHeight = property(lambda self: 1.0)
    pixelFormat = property(lambda self: self._ti()[4])
    gpuMemory = property(lambda self: self._ti()[5])
    newestSliceWOffset = property(lambda self: self._ti()[6])
    curPass = property(lambda self: 0)

    def numpyArray(self, delayed=False, writable=False):
        import numpy
        if delayed:
            # The image as it was at the previous call (its copy ran on
            # the GPU meanwhile); None the first time.
            prev = _vt.top_read_delayed(self._id)
            if prev is None:
                return None
            w, h, data = prev
        else:
            w, h, data = _vt.top_read(self._id)
        a = numpy.frombuffer(data, dtype=numpy.float32).reshape(h, w, 4)
        return a.copy() if writable else a

    def sample(self, x=None, y=None, z=None, u=None, v=None, w=None):
        a = self.numpyArray()
        h, wd = a.shape[0], a.shape[1]
        if x is None and u is None or y is None and v is None:
            raise ValueError("sample() needs a horizontal (x or u) and a "
                             "vertical (y or v) coordinate")
        px = int(x) if x is not None else int(u * wd)
        py = int(y) if y is not None else int(v * h)
        px, py = min(max(px, 0), wd - 1), min(max(py, 0), h - 1)
        return tuple(float(c) for c in a[py, px])

    def saveByteArray(self, filetype='.tiff', quality=1.0, metadata=()):
        return bytearray(_vt.top_encode(self._id, filetype, float(quality)))

    def save(self, filepath=None, asynchronous=False, createFolders=False,
             quality=1.0, metadata=()):
        import os
        if not filepath:
            filepath = '%s.%d.tif' % (self.name, self.time.frame)
        data = _vt.top_encode(self._id, filepath, float(quality))
        if createFolders:
            os.makedirs(os.path.dirname(os.path.abspath(filepath)),
                        exist_ok=True)
        tmp = filepath + '.part'
        with open(tmp, 'wb') as f:
            f.write(data)
        os.replace(tmp, filepath)
        return filepath

    def cudaMemory(self, stream=None):
        """The image copied into new device memory, on the GPU (CUDA-GL
        interop), ordered on `stream` or on vitrine's own stream."""
        _cuda_check(self)
        ptr, size, w, h, comps, elem, used = _vt.cuda_from_top(
            self._id, _stream_handle(stream))
        return CUDAMemory(ptr, size, CUDAMemoryShape(w, h, comps,
                                                     _ELEM_TYPES[elem]),
                          used)


class scriptTOP(TOP, _CustomPars):
    """A Script TOP: onCook(scriptOp) fills it with copyNumpyArray() or
    loadByteArray(). Row 0 of an array is the bottom row of the image."""

    def copyNumpyArray(self, arr):
        import numpy
        if not isinstance(arr, numpy.ndarray):
            raise TypeError("%s: copyNumpyArray takes a numpy.ndarray, not "
                            "%s" % (self.path, type(arr).__name__))
        kinds = {numpy.dtype(numpy.uint8): 0, numpy.dtype(numpy.uint16): 1,
                 numpy.dtype(numpy.float32): 2}
        kind = kinds.get(arr.dtype)
        if kind is None:
            raise TypeError("%s: copyNumpyArray takes uint8, uint16 or "
                            "float32 data, not %s" % (self.path, arr.dtype))
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3 or not 1 <= arr.shape[2] <= 4 or 0 in arr.shape:
            raise ValueError("%s: copyNumpyArray takes shape (height, width, "
                             "components) with 1 to 4 components, not %s"
                             % (self.path, arr.shape))
        h, w, c = arr.shape
        _vt.top_upload(self._id, numpy.ascontiguousarray(arr), h, w, c,
                       kind)

    def loadByteArray(self, fileType, byteArray):
        import numpy
        w, h, data = _vt.image_decode(str(fileType), bytes(byteArray))
        a = numpy.frombuffer(data, dtype=numpy.uint8).reshape(h, w, 4)
        self.copyNumpyArray(numpy.ascontiguousarray(a[::-1]))
        return True

    def copyCUDAMemory(self, address, size=None, shape=None, stream=None):
        """Copies device memory into the image through CUDA-GL interop.
        address is a device pointer, or an object with
        __cuda_array_interface__ (CuPy, PyTorch, Numba, CUDAMemory), whose
        shape and dtype then describe it."""
        iface = getattr(address, '__cuda_array_interface__', None)
        if iface is not None:
            import numpy
            dims = tuple(iface['shape'])
            if len(dims) == 2:
                dims = dims + (1,)
            if len(dims) != 3:
                raise ValueError("%s: copyCUDAMemory takes arrays of shape "
                                 "(height, width[, components]), not %s"
                                 % (self.path, tuple(iface['shape'])))
            dt = numpy.dtype(iface['typestr'])
            if iface.get('strides') is not None:
                expect = (dims[1] * dims[2] * dt.itemsize,
                          dims[2] * dt.itemsize, dt.itemsize)
                if tuple(iface['strides'])[:3] != expect[:len(
                        iface['strides'])]:
                    raise ValueError("%s: copyCUDAMemory needs contiguous "
                                     "memory" % self.path)
            if shape is None:
                shape = CUDAMemoryShape(dims[1], dims[0], dims[2], dt)
            if size is None:
                size = dims[0] * dims[1] * dims[2] * dt.itemsize
            address = iface['data'][0]
            # The producer's stream (version 3): the copy waits there.
            if stream is None and isinstance(iface.get('stream'), int):
                stream = iface['stream']
        if not isinstance(shape, CUDAMemoryShape):
            raise TypeError("%s: shape must be a CUDAMemoryShape, not %s"
                            % (self.path, type(shape).__name__))
        name = shape.dataType.name
        if name not in _ELEMS:
            raise TypeError("%s: CUDAMemoryShape.dataType must be uint8, "
                            "uint16 or float32, not %s" % (self.path, name))
        if not 1 <= shape.numComps <= 4:
            raise ValueError("%s: numComps must be 1 to 4, not %d"
                             % (self.path, shape.numComps))
        want = shape.width * shape.height * shape.numComps * \
            shape.dataType.itemsize
        if size is None or int(size) != want:
            raise ValueError("%s: size %s does not match the shape: %dx%d "
                             "with %d %s components is %d bytes"
                             % (self.path, size, shape.width, shape.height,
                                shape.numComps, name, want))
        if not isinstance(address, int) or address <= 0:
            raise TypeError("%s: address must be a device pointer (an int) "
                            "or an object with __cuda_array_interface__"
                            % self.path)
        _cuda_check(self)
        _vt.cuda_to_top(self._id, address, shape.width, shape.height,
                        shape.numComps, _ELEMS[name],
                        _stream_handle(stream))


# Script ops: their callbacks DAT gets onSetupParameters, onPulse, onCook.
_SCRIPT_OPS = (scriptTOP, scriptCHOP, scriptDAT)


class COMP(OP, _CustomPars):
    """A COMP: a container of ops, with its extensions' promoted members
    (capitalised names) as its own."""

    def __getattr__(self, name):
        if name[:1].isupper():
            for _, obj, promote in _extensions(self):
                if promote and hasattr(obj, name):
                    return getattr(obj, name)
        ext = _exts.get(self._id) if _vt.alive(self._id) else None
        raise AttributeError("'%s' has no member '%s'%s" % (
            self.path if _vt.alive(self._id) else 'COMP', name,
            " (of its extensions' members, the capitalised ones of promoted "
            "extensions are the COMP's; the others are .ext.Name.member)"
            if ext else ''))

    def __setattr__(self, name, value):
        if name[:1].isupper():
            for _, obj, promote in _extensions(self):
                if promote and hasattr(obj, name):
                    setattr(obj, name, value)
                    return
        OP.__setattr__(self, name, value)

    @property
    def extensions(self):
        return [obj for _, obj, _ in _extensions(self)]

    # Ops made by scripts last until the network loads again (a reload, a
    # restart): the network file is the network's truth.
    def create(self, optype, name=None, initialize=True):
        """A new op of that type (a class such as noiseTOP, or its OPType)
        inside this COMP, named name or by its type ('noise1', 'noise2'
        ...)."""
        t = _optype_name(optype)
        if name is None:
            name = _free_name(self, _OPTYPE_BASE.get(t, 'op') + '1')
        oid = _vt.create(self._id, t, str(name))
        _forget()
        return _wrap(oid)

    def copy(self, o, name=None, includeDocked=True):
        """A copy of op o inside this COMP: its type, parameters (custom
        ones with their declarations) and, for a COMP, its children;
        named name or o's name with the next free number."""
        if not isinstance(o, OP):
            raise TypeError("%s.copy(): an OP to copy, not %s"
                            % (self.path, type(o).__name__))
        new = self.create(o.OPType, name if name is not None
                          else _free_name(self, o.name))
        _copy_declarations(o, new)
        new.copyParameters(o)
        if isinstance(o, COMP):
            made = {}
            for c in o.children:
                made[c.name] = new.copy(c, c.name)
            for c in o.children:  # wired among themselves as o's are
                ins = [made.get(i.name) if i.parent() is o else i
                       for i in c.inputs]
                if ins:
                    made[c.name].setInputs([i for i in ins if i])
        return new

    def copyOPs(self, listOfOPs):
        return [self.copy(o) for o in listOfOPs]


# ---- extensions and shortcuts (a COMP's Extensions page)

EXTENSIONS = 4
_exts = {}  # COMP id -> [(name, object, promoted)], made when first asked
_ext_init = []  # (COMP id, object): onInitTD() at the end of the frame


def _extensions(c):
    made = _exts.get(c._id)
    if made is not None:
        return made
    made = _exts[c._id] = []  # an extension's __init__ sees those before
    if not isinstance(c, COMP) or 'ext0object' not in c.par:
        return made
    for i in range(EXTENSIONS):
        src = _vt.par_get(c._id, 'ext%dobject' % i).strip()
        if not src:
            continue

        def make(src=src, i=i):
            code = compile(src, '%s.par.ext%dobject' % (c.path, i), 'eval')
            return eval(code, _globals_for(c._id))
        ok, obj = _guarded(c._id, make)
        if not ok:
            continue
        name = _vt.par_get(c._id, 'ext%dname' % i).strip() or \
            type(obj).__name__
        made.append((name, obj, bool(_vt.par_get(c._id, 'ext%dpromote'
                                                 % i))))
        _ext_init.append((c._id, obj))
    return made


def _extensions_start():
    """Every COMP's extensions, before any onStart, as TouchDesigner makes
    them when a component loads."""
    ids = set()
    for i in range(EXTENSIONS):
        ids.update(oid for oid, _ in _vt.ops_with_par('ext%dobject' % i))
    for oid in sorted(ids):
        _extensions(_wrap(oid))


def _extensions_reinit(oid):
    """reinitextensions: onDestroyTD() on the old objects, new ones made."""
    for _, obj, _ in _exts.pop(oid, []):
        fn = getattr(obj, 'onDestroyTD', None)
        if callable(fn):
            _guarded(oid, fn)
    _extensions(_wrap(oid))


def _extensions_inited():
    while _ext_init:
        oid, obj = _ext_init.pop(0)
        fn = getattr(obj, 'onInitTD', None)
        if callable(fn) and _vt.alive(oid):
            _guarded(oid, fn)


def _base_of(oid):
    return _wrap(oid or _current[-1] or _vt.root())


def _par_text(o, name):
    try:
        return _vt.par_get(o._id, name)
    except AttributeError:
        return None


class _Parent:
    """parent(n) and parent.Name (a Parent Shortcut: the nearest COMP
    above with that parentshortcut)."""
    __slots__ = ('_oid',)

    def __init__(self, oid):
        self._oid = oid

    def __call__(self, n=1):
        return _base_of(self._oid).parent(n)

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        me_ = _base_of(self._oid)
        o = me_.parent()
        while o is not None:
            if _par_text(o, 'parentshortcut') == name:
                return o
            o = o.parent()
        raise AttributeError("parent.%s: no COMP above %s has the Parent "
                             "Shortcut '%s'" % (name, me_.path, name))


def _op_shortcut(name):
    """op.Name: the COMP whose opshortcut is Name."""
    for oid, v in _vt.ops_with_par('opshortcut'):
        if v == name:
            return _wrap(oid)
    raise AttributeError("op.%s: no COMP has the Global OP Shortcut '%s' "
                         "(op('path') finds ops by path)" % (name, name))


def _iop_of(oid, name):
    me_ = _base_of(oid)
    o = me_ if isinstance(me_, COMP) else me_.parent()
    while o is not None:
        for i in range(EXTENSIONS):
            if _par_text(o, 'iop%dshortcut' % i) == name:
                target = o.op(_vt.par_get(o._id, 'iop%dop' % i))
                if target is None:
                    raise AttributeError(
                        "iop.%s: %s.par.iop%dop names no operator inside it"
                        % (name, o.path, i))
                return target
        o = o.parent()
    raise AttributeError("iop.%s: no COMP holding %s has the Internal OP "
                         "Shortcut '%s'" % (name, me_.path, name))


class _Iop:
    """iop.Name: an op inside the component, by its Internal OP Shortcut."""
    __slots__ = ('_oid',)

    def __init__(self, oid):
        self._oid = oid

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _iop_of(self._oid, name)


class _Ipar(_Iop):
    """ipar.Name: the parameters of iop.Name."""
    __slots__ = ()

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        return _iop_of(self._oid, name).par


_FAMILIES = {'TOP': TOP, 'CHOP': CHOP, 'DAT': DAT, 'COMP': COMP}
_CLASSES = {}  # OPType -> its class (made below)


# ---------------------------------------------------------------- globals


# op(): relative to its op (a script's, a callback's, an expression's),
# as TouchDesigner's is; td.op follows whichever script runs. In C
# (_vitrine.Finder, called without building a tuple): plain paths are
# cached, and op.name says that TouchDesigner's global OP shortcuts are
# not here.
_OpFinder = _vt.Finder


def _find_call(base, args):
    """What a Finder does when its cache cannot answer; op.Name (a name in
    place of arguments) is a Global OP Shortcut."""
    if isinstance(args, str):
        return _op_shortcut(args)
    r = _lookup(base or _current[-1] or _vt.root(), args, False)
    return r[0] if r else None


op = _OpFinder()


def _bound(oid):
    """ops(), opex() and parent() relative to op oid (0: the running
    script's op)."""
    def base():
        return oid or _current[-1] or _vt.root()

    def ops_(*paths):
        return _lookup(base(), paths, True)

    def opex_(path):
        r = _OpFinder(oid)(path)
        if r is None:
            raise ValueError("%s: no operator '%s'" % (_wrap(base()).path,
                                                       path))
        return r

    return ops_, opex_, _Parent(oid)


ops, opex, parent = _bound(0)


class _NotHere:
    """What a member of TouchDesigner's that has no meaning without its
    editor (or is not built yet) says when used: NotImplementedError
    naming it, never AttributeError on None."""
    _what = 'this'

    def __getattr__(self, name):
        if name.startswith('__'):
            raise AttributeError(name)
        raise NotImplementedError("%s.%s is not in vitrine" % (self._what,
                                                               name))


class _Dependency:
    """tdu.Dependency(value): a value that tells when it changes.
    Expressions in vitrine are evaluated again at every cook, so what
    reads .val sees the change without being told; callbacks (called
    with the Dependency) are for scripts that want telling."""

    def __init__(self, value=None):
        self._val = value
        self.callbacks = []
        self.ops = []

    @property
    def val(self):
        return self._val

    @val.setter
    def val(self, v):
        self._val = v
        self.modified()

    peekVal = property(lambda self: self._val)

    def modified(self):
        for cb in list(self.callbacks):
            cb(self)

    def setVal(self, v, setInfo=None):
        self.val = v

    def __repr__(self):
        return 'Dependency(%r)' % (self._val,)


class _TDU(_NotHere):
    """tdu: TouchDesigner's utilities that do not depend on its data."""
    _what = 'tdu'
    Dependency = _Dependency

    @staticmethod
    def clamp(inputVal, min, max):
        return min if inputVal < min else max if inputVal > max else inputVal

    @staticmethod
    def remap(inputVal, fromMin, fromMax, toMin, toMax):
        if fromMax == fromMin:
            return toMin
        return toMin + (inputVal - fromMin) * (toMax - toMin) / \
            (fromMax - fromMin)

    @staticmethod
    def rand(seed):
        """The same number in [0, 1) for the same seed, in every run."""
        import random
        import zlib
        if not isinstance(seed, (int, float)):
            seed = zlib.crc32(str(seed).encode())
        return random.Random(seed).random()

    @staticmethod
    def digits(s):
        """The number at the end of a name ('arm12' -> 12), else None."""
        m = re.search(r'(\d+)$', str(s))
        return int(m.group(1)) if m else None

    @staticmethod
    def base(s):
        """A name without its number at the end ('arm12' -> 'arm'), after
        the last '/'."""
        return re.sub(r'\d+$', '', str(s).rsplit('/', 1)[-1])

    @staticmethod
    def split(string, eval=False):
        """Words separated by spaces, quotes keeping spaces in one;
        eval: each word as a Python literal where it is one."""
        import ast
        import shlex
        words = shlex.split(str(string))
        if not eval:
            return words
        out = []
        for w in words:
            try:
                out.append(ast.literal_eval(w))
            except (ValueError, SyntaxError):
                out.append(w)
        return out

    @staticmethod
    def validName(name):
        """name made a valid op name: other characters become '_', and
        one that starts with a digit gets '_' before it."""
        s = re.sub(r'[^A-Za-z0-9_]', '_', str(name))
        return '_' + s if not s or s[0].isdigit() else s


class _Project(_NotHere):
    """project: the running network, as TouchDesigner's project is the
    .toe file."""
    _what = 'project'
    realTime = True
    performMode = True

    @property
    def name(self):
        return _vt.network()[0].rsplit('/', 1)[-1]

    @property
    def folder(self):
        return _vt.network()[1]

    @property
    def cookRate(self):
        return _vt.abs_time()[2]


class _App(_NotHere):
    """app: the program that runs the network."""
    _what = 'app'
    product = 'vitrine'
    osName = 'Linux'

    @property
    def version(self):
        return _vt.version()

    @property
    def build(self):
        return _vt.version()


class _UI(_NotHere):
    """ui: TouchDesigner's editor, which vitrine has none of."""
    _what = 'ui'


tdu, project, app, ui = _TDU(), _Project(), _App(), _UI()


def debug(*args):
    oid = _current[-1]
    where = _vt.info(oid)[1] if oid and _vt.alive(oid) else 'python'
    _vt.log(6, '[%s]' % where, ' '.join(str(a) for a in args))


class _Mod:
    """mod.name: a DAT's text as a module, found beside the script's op
    (then up through its parents); falls back to Python's own modules."""

    def __init__(self, oid=None):
        object.__setattr__(self, '_id', oid)

    def __getattr__(self, name):
        base = self._id or _current[-1]
        o = _wrap(base)
        while o is not None:
            d = _wrap(_find(o._id, name))
            if isinstance(d, DAT):
                return _module_of(d)
            o = o.parent()
        try:
            return __import__(name)
        except ImportError:
            raise AttributeError("mod.%s: no DAT '%s' near %s and no Python "
                                 "module of that name" % (
                                     name, name, _wrap(base).path))

    def __call__(self, path):
        d = op(path) if isinstance(path, str) else path
        if not isinstance(d, DAT):
            raise ValueError("mod(%r): not a DAT" % (path,))
        return _module_of(d)


mod = _Mod()


def _globals_for(oid):
    """The globals a script, callback or expression of op oid sees."""
    ops_, opex_, parent_ = _bound(oid)
    return {
        '__builtins__': _script_builtins, '__name__': '__main__',
        'op': _OpFinder(oid), 'ops': ops_, 'opex': opex_, 'me': _wrap(oid),
        'parent': parent_, 'absTime': absTime, 'mod': _Mod(oid),
        'debug': debug,
        'td': sys.modules['td'], 'ParMode': ParMode, 'root': _wrap(_vt.root()),
        'tdu': tdu, 'project': project, 'app': app, 'ui': ui,
        'run': _run_later, 'iop': _Iop(oid), 'ipar': _Ipar(oid),
    }


class Run:
    """What run() returns (TouchDesigner's Run class): a script string or
    a callable waiting for its frame."""

    def __init__(self, what, args, oid, frames, ms, where):
        self.source = what
        self.args = args
        self._oid = oid
        self.delayFrames = frames
        self.delayMilliSeconds = ms
        self.remainingFrames = frames
        self._due_s = absTime.seconds + ms / 1000.0
        self._where = where  # "/project1/s line 12": where run() was called
        self.active = True
        self.group = None
        self.isCell = self.isDAT = False
        self.isString = isinstance(what, str)

    fromOP = property(lambda self: _wrap(self._oid)
                      if _vt.alive(self._oid) else None)

    @property
    def remainingMilliSeconds(self):
        return max(0.0, (self._due_s - absTime.seconds) * 1000.0)

    def kill(self):
        self.active = False
        if self in _later:
            _later.remove(self)

    def _due(self):
        self.remainingFrames -= 1
        return self.remainingFrames <= 0 and \
            absTime.seconds + 1e-9 >= self._due_s

    def _go(self):
        if isinstance(self.source, str):
            g = _globals_for(self._oid)
            g['args'] = self.args
            # a failure names the run() call: script and line
            exec(compile(self.source, 'run() from %s' % self._where,
                         'exec'), g)
        else:
            self.source(*self.args)

    def __repr__(self):
        return '<Run %r from %s>' % (self.source, self._where)


def _run_later(script, *args, delayFrames=0, delayMilliSeconds=0,
               fromOP=None, delayRef=None, group=None, **kw):
    """td's run(): a script string or a callable with its arguments, at
    the start of a later frame: after delayFrames frames (at least the
    next) and delayMilliSeconds of the frame clock."""
    if not (isinstance(script, str) or callable(script)):
        raise TypeError("run() takes a script string or a callable, not %s"
                        % type(script).__name__)
    f = sys._getframe(1)
    where = '%s line %d' % (f.f_code.co_filename, f.f_lineno)
    oid = fromOP._id if isinstance(fromOP, OP) else (_current[-1] or
                                                    _vt.root())
    r = Run(script, args, oid, max(1, int(delayFrames)),
            max(0.0, float(delayMilliSeconds)), where)
    r.group = group
    _later.append(r)
    return r


_later = []  # Run objects waiting


# ---------------------------------------------------------------- running


class _Stdout:
    """print() into the log, a line at a time, prefixed by the op whose
    script printed it."""

    def __init__(self, level):
        self.level = level
        self.buf = ''

    def write(self, s):
        self.buf += s
        while '\n' in self.buf:
            line, self.buf = self.buf.split('\n', 1)
            oid = _current[-1]
            where = _vt.info(oid)[1] if oid and _vt.alive(oid) else 'python'
            _vt.log(self.level, '[%s]' % where, line)
        return len(s)

    def flush(self):
        if self.buf:
            self.write('\n')

    def isatty(self):
        return False


sys.stdout = _Stdout(6)
sys.stderr = _Stdout(4)


def _record(oid, exc):
    """An exception from op oid's script: on the op (errors(),
    scriptErrors()) and in the log with its traceback when it changed."""
    if isinstance(exc, SyntaxError):
        msg = '%s: %s (%s:%s)' % (type(exc).__name__, exc.msg,
                                  exc.filename, exc.lineno)
    else:
        msg = '%s: %s' % (type(exc).__name__, exc)
        why = _vt.missing_channel()
        if why and 'NoneType' in msg:
            msg = '%s (%s)' % (why, msg)  # what it meant
    # The script's own frames: td's runners are not the user's business.
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if f.filename != 'td.py']
    tb = ''.join(['Traceback (most recent call last):\n'] +
                 traceback.format_list(frames) +
                 traceback.format_exception_only(type(exc), exc))
    if not _vt.alive(oid):
        _vt.log(3, '[python]', tb)
        return
    o = _wrap(oid)
    o._state()['script_errors'] = [msg]
    _vt.set_error(oid, msg, tb, False)


def _clear(oid):
    if _vt.alive(oid):
        st = _wrap(oid)._state()
        if st['script_errors']:
            st['script_errors'] = []
            _vt.set_error(oid, '', '', False)


def _guarded(oid, fn, *args):
    """Runs fn(*args) as op oid's code: its globals see me = that op; the
    budget applies; an exception is recorded on the op. Returns (ok,
    result)."""
    _current.append(oid)
    _vt.budget(True)
    try:
        r = fn(*args)
        return True, r
    except ScriptTimeout as e:
        _record(oid, e)
        return False, None
    except BaseException as e:  # noqa: B036: a script never stops frames
        if isinstance(e, (SystemExit, KeyboardInterrupt)):
            e = RuntimeError('%s inside a script is ignored'
                             % type(e).__name__)
        _record(oid, e)
        return False, None
    finally:
        _vt.budget(False)
        _current.pop()


def _source(d):
    """(text, filename) of a DAT's script."""
    text = _vt.dat_text(d._id)
    return text, '%s' % d.path


_code_cache = {}  # op id -> (text, code)


def _compiled(d, mode='exec'):
    text, name = _source(d)
    c = _code_cache.get(d._id)
    if c is None or c[0] != text:
        c = (text, compile(text, name, mode))
        _code_cache[d._id] = c
    return c[1]


def _run_text(d, args=()):
    def go():
        g = _globals_for(d._id)
        g['args'] = args
        exec(_compiled(d), g)
    ok, _ = _guarded(d._id, go)
    if ok:
        _clear(d._id)


_modules = {}  # op id -> (text, module)


def _module_of(d):
    """A DAT's text as a module, re-made when the text changes."""
    import types
    text, name = _source(d)
    m = _modules.get(d._id)
    if m is None or m[0] != text:
        mo = types.ModuleType(d.name)
        mo.__dict__.update(_globals_for(d._id))
        mo.__name__ = d.name
        mo.__file__ = name
        code = compile(text, name, 'exec')
        _current.append(d._id)
        try:
            exec(code, mo.__dict__)
        finally:
            _current.pop()
        m = _modules[d._id] = (text, mo)
    return m[1]


def _callbacks_of(oid):
    """The callbacks module of an op with a `callbacks` DAT (Script ops,
    OSC In DAT), or of a callback DAT's own text; None with the error
    recorded."""
    o = _wrap(oid)
    d = o
    if 'callbacks' in _vt.par_names(oid):
        d = o.par.callbacks.eval()
        if d is None:
            return None
    ok, m = _guarded(oid, _module_of, d)
    return m if ok else None


def _run_callback(o, name, *args):
    m = _callbacks_of(o._id)
    fn = getattr(m, name, None) if m else None
    if fn is None:
        return None
    ok, r = _guarded(o._id, fn, *args)
    return r


# ---- what the frame loop calls

_started = set()  # op ids whose start ran
_pulsed_now = {}  # (op id, par): pulses whose onPulse ran when given
_prev = {}  # op id -> watched values (CHOP Execute, Parameter Execute)


def _attach():
    _vt.forget()
    _objects.clear()
    _find_cache.clear()
    _state.clear()
    _code_cache.clear()
    _expr_code.clear()
    _modules.clear()
    _started.clear()
    _prev.clear()
    del _later[:]
    _exts.clear()
    del _ext_init[:]
    _pulsed_now.clear()


def _sorted(optype):
    return sorted((_wrap(i) for i in _vt.ops_of_type(optype)),
                  key=lambda o: (o.name, o.path))


def _active(o):
    try:
        return bool(_vt.par_get(o._id, 'active'))
    except AttributeError:
        return True


def _frame_start():
    frame = _vt.stats(_vt.root())[5]
    for r in [r for r in _later if r._due()]:
        _later.remove(r)
        r.active = False
        if _vt.alive(r._oid):
            _guarded(r._oid, r._go)
    if not _started:
        _extensions_start()
    for e in _sorted('executeDAT'):
        if e._id not in _started:
            _started.add(e._id)
            if _active(e):
                if _vt.par_get(e._id, 'create'):
                    _run_callback(e, 'onCreate')
                if _vt.par_get(e._id, 'start'):
                    _run_callback(e, 'onStart')
    for t in _sorted('textDAT'):
        run = _vt.par_get(t._id, 'run')
        if run == 'frame' or (run == 'start' and t._id not in _started):
            _started.add(t._id)
            _vt.cook(t._id, False)
            _run_text(t)
    for e in _sorted('executeDAT'):
        if _active(e) and _vt.par_get(e._id, 'framestart'):
            _run_callback(e, 'onFrameStart', frame)


def _frame_after_cook():
    for d in _sorted('chopexecDAT'):
        if _active(d):
            _chopexec(d)
    pulses = _vt.take_pulses()
    for oid, name in pulses:  # a Script op's own: its callbacks' onPulse
        if _pulsed_now.get((oid, name)):  # given by a script: called then
            _pulsed_now[(oid, name)] -= 1
            continue
        o = _wrap(oid) if _vt.alive(oid) else None
        if name == 'reinitextensions' and isinstance(o, COMP):
            _extensions_reinit(oid)
        if isinstance(o, _SCRIPT_OPS) and name in o.par \
                and o.par[name].isCustom:
            _run_callback(o, 'onPulse', o.par[name])
    _pulsed_now.clear()
    for d in _sorted('parexecDAT'):
        if _active(d):
            _parexec(d, pulses)


def _frame_end():
    frame = _vt.stats(_vt.root())[5]
    for e in _sorted('executeDAT'):
        if _active(e) and _vt.par_get(e._id, 'frameend'):
            _run_callback(e, 'onFrameEnd', frame)
    _extensions_inited()


def _exit():
    for e in _sorted('executeDAT'):
        if _active(e) and _vt.par_get(e._id, 'exit'):
            _run_callback(e, 'onExit')


def _chopexec(d):
    c = d.par.chop.eval()
    if c is None:
        return
    pattern = _vt.par_get(d._id, 'channel') or '*'
    chans = {ch.name: ch for ch in c.chans(*pattern.split())}
    # a channel that appears after the first look (the first OSC or MIDI
    # value of its name) changes from 0; those there at the first look
    # (at start, or restored) are where things begin
    first = d._id not in _prev
    prev = _prev.setdefault(d._id, {})
    before = dict(prev)  # the values at the end of the last frame
    flags = {k: _vt.par_get(d._id, k) for k in (
        'offtoon', 'whileon', 'ontooff', 'whileoff', 'valuechange')}
    last = c.numSamples - 1

    def change(ch, v):
        p = prev.get(ch.name)
        prev[ch.name] = v
        if p is None:
            if first:
                return
            p = 0.0
        on, was = v > 0, p > 0
        if flags['offtoon'] and on and not was:
            _run_callback(d, 'onOffToOn', ch, last, v, p)
        if flags['ontooff'] and was and not on:
            _run_callback(d, 'onOnToOff', ch, last, v, p)
        if flags['valuechange'] and v != p:
            _run_callback(d, 'onValueChange', ch, last, v, p)

    # an input CHOP (OSC In, MIDI In) tells every value it took this
    # frame, in order: a pad tapped within one frame is an on and an off
    events = _vt.chop_events(c._id)
    if events is None or first:
        for ch in chans.values():
            change(ch, ch.eval())
    else:
        for name, v in events:
            ch = chans.get(name)
            if ch is not None:
                change(ch, v)
    for ch in chans.values():
        v = ch.eval()
        if ch.name not in before:
            continue
        if flags['whileon'] and v > 0:
            _run_callback(d, 'whileOn', ch, last, v, before[ch.name])
        if flags['whileoff'] and not v > 0:
            _run_callback(d, 'whileOff', ch, last, v, before[ch.name])


def _parexec(d, pulses):
    targets = d.ops(*(_vt.par_get(d._id, 'ops') or '').split())
    pattern = _vt.par_get(d._id, 'pars') or '*'
    prev = _prev.setdefault(d._id, {})
    valuechange = _vt.par_get(d._id, 'valuechange')
    onpulse = _vt.par_get(d._id, 'onpulse')
    for t in targets:
        pars = t.pars(*pattern.split())
        if onpulse and pulses:  # each pulse given since the last frame
            names = {p.name for p in pars}
            for oid, name in pulses:
                if oid == t._id and name in names:
                    _run_callback(d, 'onPulse', t.par[name])
        for p in pars:
            if p.isPulse:
                continue
            key = (t._id, p.name)
            v = p.eval()
            if isinstance(v, OP):
                v = v.path
            old = prev.get(key, v)
            prev[key] = v
            if valuechange and v != old:
                _run_callback(d, 'onValueChange', p, old)


def _osc_encode(address, args=()):
    """An OSC message, through the runtime's codec (liblo): int i (h past
    32 bits), float f, str s, bytes b, bool T/F, None N, lists as
    arrays."""
    if not isinstance(args, (list, tuple)):
        args = [args]
    return _vt.osc_message(str(address), [_value(a) for a in args])


def _osc_bundle(messages, when=None):
    """[(address, args), ...] as one bundle; when: Unix seconds."""
    return _vt.osc_bundle(
        [(str(a), [_value(x) for x in (v if isinstance(v, (list, tuple))
                                       else [v])]) for a, v in messages],
        when)


def _udp():
    s = _state.setdefault(0, {})
    if 'udp' not in s:
        import socket
        s['udp'] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    return s['udp']


class Peer:
    """Where an OSC message came from (onReceiveOSC's peer);
    sendOSC(address, args) replies to it."""
    __slots__ = ('address', 'port', 'owner')

    def __init__(self, address, port, owner):
        self.address, self.port, self.owner = address, port, owner

    def sendOSC(self, address, args=()):
        _udp().sendto(_osc_encode(address, args), (self.address, self.port))

    def __repr__(self):
        return "Peer(%s:%d)" % (self.address, self.port)


class oscoutDAT(DAT):
    """An OSC Out DAT: sends to its netaddress:port."""

    def _dest(self):
        return (_vt.par_get(self._id, 'netaddress') or '127.0.0.1',
                _vt.par_get(self._id, 'port'))

    def sendBytes(self, *data):
        if not _vt.par_get(self._id, 'active'):
            return 0
        b = b''.join(bytes(d) for d in data)
        return _udp().sendto(b, self._dest())

    def sendOSC(self, address, args=(), asBundle=False,
                useNonStandardTypes=True):
        """One message; asBundle wraps it in a bundle."""
        if asBundle:
            return self.sendBytes(_osc_bundle([(address, args)]))
        return self.sendBytes(_osc_encode(address, args))

    def sendBundle(self, messages, timeTag=None):
        """[(address, args), ...] as one bundle, applied at timeTag (Unix
        seconds) by receivers that honour timetags."""
        return self.sendBytes(_osc_bundle(messages, timeTag))


def _osc_receive(oid, row, raw, timetag, address, ip, port):
    o = _wrap(oid)
    m = _callbacks_of(oid)
    fn = getattr(m, 'onReceiveOSC', None) if m else None
    if fn is None:
        return
    args = []
    if raw:  # every OSC 1.0 type as a Python value (control/osc_codec.c)
        address, args = _vt.osc_parse(raw)
    message = ' '.join([address] + [repr(a) if isinstance(a, str) else
                                    str(a) for a in args])
    stamp = 0.0 if timetag == 1 else (timetag >> 32) - 2208988800 + \
        (timetag & 0xffffffff) / 4294967296.0
    if stamp < 0:
        stamp = 0.0
    _guarded(oid, fn, o, row, message, bytes(raw), stamp, address, args,
             Peer(ip, port, o))


_cooking_script = []


def _cook_script(oid):
    """A Script TOP's, CHOP's or DAT's cook: onCook(scriptOp). True when
    it ran without error."""
    o = _wrap(oid)
    st = o._state()
    if isinstance(o, scriptTOP):
        import numpy  # noqa: F401: its first import outside the budget
    m = _callbacks_of(oid)
    if m is None:
        if o.par.callbacks.eval() is None:
            _vt.set_error(oid, "no callbacks DAT: set 'callbacks' to a DAT "
                          "holding onCook(scriptOp)", '', False)
        return False
    # onSetupParameters: once a load, before the first onCook (custom
    # parameters are declared anew each time, as a saved .toe would hold
    # them), and again at each pulse of setuppars
    if not st.get('setup') or _vt.par_get(oid, 'setuppars'):
        st['setup'] = True
        fn = getattr(m, 'onSetupParameters', None)
        if fn is not None and not _guarded(oid, fn, o)[0]:
            return False
    fn = getattr(m, 'onCook', None)
    if fn is None:
        return True
    if isinstance(o, scriptCHOP):
        out = o._out()
        out['rate'] = None
    _cooking_script.append(oid)
    try:
        ok, _ = _guarded(oid, fn, o)
    finally:
        _cooking_script.pop()
    if ok and isinstance(o, scriptCHOP):
        ok, _ = _guarded(oid, o._commit)
    if ok:
        _clear(oid)
    return ok


def _expr_globals(oid):
    g = _globals_for(oid)
    g['_vitrine_owner'] = oid
    return g


_expr_code = {}  # (op id, par, source) -> (code, globals)


def _eval_par_expr(oid, name, src):
    """A parameter's expression, evaluated with its op as `me`."""
    key = (oid, name, src)
    c = _expr_code.get(key)
    if c is None:
        c = _expr_code[key] = (
            compile(src, '%s.par.%s.expr' % (_vt.info(oid)[1], name),
                    'eval'), _globals_for(oid))
    _current.append(oid)
    try:
        return eval(c[0], c[1])
    finally:
        _current.pop()


def _eval_as(o, expr):
    _current.append(o._id)
    try:
        return eval(compile(str(expr), '%s.evalExpression' % o.path, 'eval'),
                    _globals_for(o._id))
    finally:
        _current.pop()


_vt.set_hooks(_find_call, _value, Channel)
_vt.set_cell_type(_Cell)


def _type_classes():
    """A class per registered op type, named by its OPType as in
    TouchDesigner (isinstance(o, noiseTOP), type(o) is noiseTOP): the one
    defined above under that name (scriptTOP), else a subclass of its
    family's."""
    for optype, family, _ in _vt.op_types():
        cls = globals().get(optype)
        if not (isinstance(cls, type) and issubclass(cls, OP)):
            cls = type(optype, (_FAMILIES.get(family, OP),),
                       {'__module__': __name__,
                        '__doc__': 'A %s (%s).' % (optype, family)})
            globals()[optype] = cls
        _CLASSES[optype] = cls


_type_classes()
_OPTYPE_BASE = {t: base for t, _, base in _vt.op_types()}  # noiseTOP: noise


def _copy_declarations(src, dst):
    """src's custom parameter groups declared on dst as they are on src."""
    for p in src.customPars if isinstance(src, _CustomPars) else []:
        if p.vecIndex == 0:
            i = p._i()
            _declare(dst._id, i[15], i[14], i[1], i[2], i[16],
                     p._declaration(), True)


def _copy_values(src, dst, custom=True, builtin=True, fitting=False):
    """The values and expressions of src's parameters dst also has
    (pulses aside); fitting: those dst's kind cannot take are left out."""
    theirs = set(_vt.par_names(dst._id))
    for p in src.par:
        if not ((custom if p.isCustom else builtin) and p.name in theirs
                and not p.isPulse):
            continue
        try:
            if p.mode == ParMode.EXPRESSION:
                dst.par[p.name].expr = p.expr
            else:
                _vt.par_set(dst._id, p.name, _vt.par_get(src._id, p.name))
        except (ValueError, TypeError, SyntaxError):
            if not fitting:
                raise


def _optype_name(optype):
    """An OPType from what create() and changeType() take: a class
    (noiseTOP), its name, or an op of that type."""
    if isinstance(optype, type) and issubclass(optype, OP):
        optype = optype.__name__
    elif isinstance(optype, OP):
        optype = optype.OPType
    if optype not in _CLASSES:
        raise ValueError("unknown operator type %r (`vitrine ops` lists "
                         "them)" % (optype,))
    return optype


def _free_name(comp, name):
    """name if comp has no child of that name, else the same with the
    next free number ('noise1' -> 'noise2')."""
    taken = {c.name for c in comp.children}
    if name not in taken:
        return name
    stem = name.rstrip('0123456789')
    n = int(name[len(stem):] or 1)
    while '%s%d' % (stem, n) in taken:
        n += 1
    return '%s%d' % (stem, n)

# What a script sees without importing: Python's builtins, and td's
# classes and globals (as TouchDesigner's td module is there for it).
_script_builtins = dict(vars(builtins))
_script_builtins.update(_CLASSES)
_script_builtins.update({n: globals()[n] for n in (
    'OP', 'TOP', 'CHOP', 'DAT', 'COMP', 'Par', 'Channel', 'Page', 'ParMode',
    'CUDAMemory', 'CUDAMemoryShape', 'Run')})
_script_builtins['runs'] = _later


# ---- what survives a reload and a restart (kiosk/state.c)

_storage_warned = set()


_storage_cache = {}  # (oid, key): (value, its pickle, a copy of an array)
_storage_sizes = {}  # (oid, key): bytes its pickle took at the last save
_storage_total = [0]  # their sum, kept as they change

# Values that cannot change behind the same object: a save reuses their
# pickle instead of pickling them again.
_STORAGE_FIXED = (int, float, complex, bool, str, bytes, type(None), range)


def _storage_fixed(v, depth=0):
    if isinstance(v, _STORAGE_FIXED):
        return True
    if isinstance(v, (tuple, frozenset)) and depth < 4 and len(v) <= 64:
        return all(_storage_fixed(x, depth + 1) for x in v)
    return False


def _storage_snapshot(v):
    """A copy of a NumPy array of numbers, to tell at the next save whether
    it changed without pickling it again (comparing costs less)."""
    if type(v).__name__ == 'ndarray' and v.dtype.kind in 'biufc':
        return v.copy()
    return None


def _storage_same_array(v, snap):
    if snap is None or v.shape != snap.shape or v.dtype != snap.dtype:
        return False
    import numpy
    return bool(numpy.array_equal(v, snap))  # NaNs: pickled again


def _storage_pickle(v):
    import pickle
    return pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)


def _storage_size(v):
    """What v would take in a save, without pickling big arrays and
    strings to find out."""
    nbytes = getattr(v, 'nbytes', None)
    if isinstance(nbytes, int) and hasattr(v, 'dtype'):
        return nbytes
    if isinstance(v, (bytes, bytearray, str)):
        return len(v)
    try:
        return len(_storage_pickle(v))
    except Exception:
        return 0  # kept in memory only; the save says so


def _storage_room(oid, key, value):
    """Raises when storing value under key would take op.storage past
    [state] max_storage."""
    limit = _vt.storage_max()
    if not limit:
        return
    size = _storage_size(value)
    total = _storage_total[0] - _storage_sizes.get((oid, key), 0) + size
    if total > limit:
        raise ValueError(
            "op.store(%r): %s would bring op.storage to %s, more than the "
            "%s it may hold ([state] max_storage in kiosk.ini)"
            % (key, _mb(size), _mb(total), _mb(limit)))
    _storage_sizes[(oid, key)] = size
    _storage_total[0] = total


def _mb(n):
    return '%.1f MB' % (n / 1048576)


def _storage_collect():
    """op.storage of every op that has some, for a save: (changed, [(path,
    key pickle, value pickle)]), each value pickled on its own (so that
    one that cannot be read back costs only itself). A value that cannot
    change and is the same object as at the last save keeps its pickle;
    changed is False when every pickle is as it was. Values that cannot be
    pickled, and those beyond [state] max_storage, are left out with a
    warning once per op and key."""
    global _storage_cache
    cache, entries, changed, total = {}, [], False, 0
    limit = _vt.storage_max()
    for oid, s in _state.items():
        st = s.get('storage')
        if not st or not _vt.alive(oid):
            continue
        path = _vt.info(oid)[1]
        for k, v in list(st.items()):
            old = _storage_cache.get((oid, k))
            snap = None
            try:
                if old is not None and old[0] is v and (
                        _storage_fixed(v) or _storage_same_array(v, old[2])):
                    data, snap = old[1], old[2]
                else:
                    data = _storage_pickle(v)
                    changed = changed or old is None or old[1] != data
                    snap = _storage_snapshot(v)
                key = _storage_pickle(k)
            except Exception as e:
                _storage_warn(path, k, "not kept across restarts: %s" % e)
                continue
            if limit and total + len(data) > limit:
                _storage_warn(path, k, "not kept across restarts: with it "
                              "op.storage would hold more than the %s of "
                              "[state] max_storage" % _mb(limit))
                continue
            total += len(data)
            cache[(oid, k)] = (v, data, snap)
            entries.append((path, key, data))
    changed = changed or cache.keys() != _storage_cache.keys()
    _storage_cache = cache
    _storage_sizes.clear()
    _storage_sizes.update((k, len(e[1])) for k, e in cache.items())
    _storage_total[0] = total
    return changed, entries


def _storage_warn(path, key, what):
    if (path, key) not in _storage_warned:
        _storage_warned.add((path, key))
        _vt.log(4, '[%s]' % path, "storage %r is %s" % (key, what))


# What a stored value may be made of when it is read back: plain Python
# values and containers, NumPy arrays and scalars, and classes the
# network's own modules define. Anything else a pickle names (os.system,
# a __reduce__ that calls out) is refused before it runs.
_STORAGE_SAFE = {
    'builtins': {'dict', 'list', 'set', 'frozenset', 'tuple', 'bytearray',
                 'bytes', 'str', 'int', 'float', 'complex', 'bool',
                 'range', 'slice'},
    'collections': {'OrderedDict', 'deque', 'defaultdict', 'Counter'},
    'datetime': {'datetime', 'date', 'time', 'timedelta', 'timezone'},
    'decimal': {'Decimal'},
    'fractions': {'Fraction'},
    'numpy': {'ndarray', 'dtype'},
    'numpy.core.multiarray': {'_reconstruct', 'scalar'},
    'numpy._core.multiarray': {'_reconstruct', 'scalar'},
    'numpy.core.numeric': {'_frombuffer'},  # pickle protocol 5
    'numpy._core.numeric': {'_frombuffer'},
}


def _storage_unpickle(data):
    import io
    import pickle

    class Restricted(pickle.Unpickler):
        def find_class(self, module, name):
            if name in _STORAGE_SAFE.get(module, ()):
                return super().find_class(module, name)
            for _, m in _modules.values():  # the network's own classes
                if m.__name__ == module:
                    c = getattr(m, name, None)
                    if isinstance(c, type):
                        return c
            raise pickle.UnpicklingError(
                "%s.%s is not something op.storage keeps (plain values, "
                "containers, NumPy arrays and the network's own classes)"
                % (module, name))
    return Restricted(io.BytesIO(data)).load()


def _storage_load_entry(path, key, value):
    """One value a save wrote (path, and the key's and value's pickles in
    base64) back into the op of that path; one that cannot be read back
    (its class changed since, or it names something outside what storage
    keeps) is said and skipped. 1 when it was put back."""
    import base64
    oid = _vt.find(_vt.root(), path)
    if not oid:
        return 0
    try:
        k = _storage_unpickle(base64.b64decode(key))
    except Exception as e:
        _vt.log(4, '[%s]' % path, "a storage key could not be read back: "
                "%s: %s; left out" % (type(e).__name__, e))
        return 0
    try:
        v = _storage_unpickle(base64.b64decode(value))
    except Exception as e:
        _vt.log(4, '[%s]' % path, "storage %r could not be read back: "
                "%s: %s; left out" % (k, type(e).__name__, e))
        return 0
    _wrap(oid)._state()['storage'][k] = v
    return 1


def _storage_load(text):
    """The earlier formats: one line of base64 holding every op's storage
    (format 2: each value pickled on its own; before it, one pickle of
    everything). Returns how many ops got something back."""
    import base64
    if not text:
        return 0
    try:
        data = _storage_unpickle(base64.b64decode(text))
    except Exception as e:
        _vt.log(4, '[state]', "op.storage could not be read back: %s: %s; "
                "left out" % (type(e).__name__, e))
        return 0
    per_value = data.get('format') == 2
    n = 0
    for path, st in (data['ops'] if per_value else data).items():
        oid = _vt.find(_vt.root(), path)
        if not oid:
            continue
        storage = _wrap(oid)._state()['storage']
        for k, v in st.items():
            if per_value:
                try:
                    v = _storage_unpickle(v)
                except Exception as e:
                    _vt.log(4, '[%s]' % path, "storage '%s' could "
                            "not be read back: %s: %s; left out"
                            % (k, type(e).__name__, e))
                    continue
            storage[k] = v
        n += 1
    return n


def _started_paths():
    """Paths of the scripts whose start has run, for a reload."""
    return [_vt.info(i)[1] for i in _started if _vt.alive(i)]


def _mark_started(paths):
    """After a reload: scripts already started (onStart, run = start)
    do not start again; new ones do (onCreate)."""
    for path in paths:
        oid = _vt.find(_vt.root(), path)
        if oid:
            _started.add(oid)
