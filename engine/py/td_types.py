# td_types.py: td's last part: the hooks C calls td through, and a class
# per op type, named by its OPType as in TouchDesigner.

_vt.set_hooks(_find_call, _value, Channel)
_vt.set_cell_type(_Cell)

_HOOK_METHODS = {
    _vt.HOOK_START: '_hook_start', _vt.HOOK_FRAME_START: '_hook_frame_start',
    _vt.HOOK_COOKED: '_hook_cooked', _vt.HOOK_PARS: '_hook_pars',
    _vt.HOOK_PULSE: '_hook_pulse', _vt.HOOK_FRAME_END: '_hook_frame_end',
    _vt.HOOK_EXIT: '_hook_exit'}


def _type_classes():
    """A class per registered op type (isinstance(o, noiseTOP), type(o) is
    noiseTOP): the one its own Python file defines (engine/ops/<file>.py,
    run here in td's namespace), else a subclass of its family's. A type
    whose descriptor names a hook its class lacks stops td loading."""
    for optype, family, _, code, file, hooks in _vt.op_types():
        if code is not None:  # compiled at build time
            exec(code, globals())
            cls = globals().get(optype)
            if not (isinstance(cls, type) and issubclass(cls, OP)):
                raise TypeError('%s defines no class %s' % (file, optype))
        else:
            cls = type(optype, (_FAMILIES.get(family, OP),),
                       {'__module__': __name__,
                        '__doc__': 'A %s (%s).' % (optype, family)})
            globals()[optype] = cls
        for bit, method in _HOOK_METHODS.items():
            if hooks & bit and not callable(getattr(cls, method, None)):
                raise TypeError('%s: the %s hook needs %s.%s'
                                % (file or optype, method, optype, method))
        cls._hooks = hooks
        _CLASSES[optype] = cls


_type_classes()
_OPTYPE_BASE = {t[0]: t[2] for t in _vt.op_types()}  # noiseTOP: noise


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
