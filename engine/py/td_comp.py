# COMPs: the COMP class, extensions and shortcuts.

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
