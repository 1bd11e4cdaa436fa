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
    performMode = True

    @property
    def realTime(self):
        """The network's realtime setting (network.ini's [network]
        realtime): on, frames skip when behind; off, none does."""
        return _vt.network()[2]

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
