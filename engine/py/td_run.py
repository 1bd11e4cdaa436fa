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


def _td_file(name):
    return name.endswith('.py') and '/' not in name


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
    # The script's own frames: td's runners are not the user's business
    # (td's files and the op types' are compiled in under bare names,
    # td_run.py or dat_execute.py; a script's file is its op's path).
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if not _td_file(f.filename)]
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


def _hooked(bit):
    """The ops whose type's class has this hook (_vitrine.HOOK_*), by name
    and path: the order TouchDesigner's are called in is its own, this
    one at least stays the same from frame to frame."""
    return sorted((_wrap(i) for i in _vt.ops_with_hook(bit)),
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
    for o in _hooked(_vt.HOOK_START):
        if o._id not in _started:
            _started.add(o._id)
            o._hook_start()
    for o in _hooked(_vt.HOOK_FRAME_START):
        o._hook_frame_start(frame)


def _frame_after_cook():
    for o in _hooked(_vt.HOOK_COOKED):
        o._hook_cooked()
    pulses = _vt.take_pulses()
    for oid, name in pulses:
        if _pulsed_now.get((oid, name)):  # given by a script: called then
            _pulsed_now[(oid, name)] -= 1
            continue
        o = _wrap(oid) if _vt.alive(oid) else None
        if name == 'reinitextensions' and isinstance(o, COMP):
            _extensions_reinit(oid)
        if o is not None and o._hooks & _vt.HOOK_PULSE and name in o.par \
                and o.par[name].isCustom:
            o._hook_pulse(o.par[name])
    _pulsed_now.clear()
    for o in _hooked(_vt.HOOK_PARS):
        o._hook_pars(pulses)


def _frame_end():
    frame = _vt.stats(_vt.root())[5]
    for o in _hooked(_vt.HOOK_FRAME_END):
        o._hook_frame_end(frame)
    _extensions_inited()


def _exit():
    for o in _hooked(_vt.HOOK_EXIT):
        o._hook_exit()


class _ScriptOp(_CustomPars):
    """What the Script TOP, CHOP and DAT share: their callbacks DAT gets
    onSetupParameters, onPulse and onCook(scriptOp). Each type's class
    adds what its cook needs before and after onCook."""

    def _cook_begin(self):
        pass

    def _cook_end(self):
        return True

    def _hook_pulse(self, par):
        _run_callback(self, 'onPulse', par)


_cooking_script = []


def _cook_script(oid):
    """A Script op's cook (its type's cook calls it): onCook(scriptOp).
    True when it ran without error."""
    o = _wrap(oid)
    st = o._state()
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
    o._cook_begin()
    _cooking_script.append(oid)
    try:
        ok, _ = _guarded(oid, fn, o)
    finally:
        _cooking_script.pop()
    if ok:
        ok, _ = _guarded(oid, o._cook_end)
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
