# Parameters: Par, op.par, custom pages and their declarations
# (TouchDesigner's Par, ParCollection and Page classes).

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
        if self.isPulse and self.isCustom and \
                self.owner._hooks & _vt.HOOK_PULSE:
            # a script's pulse: its onPulse now, as TouchDesigner calls it
            key = (self._id, self._name)
            _pulsed_now[key] = _pulsed_now.get(key, 0) + 1
            _vt.par_reset(self._id, self._name, True)
            self.owner._hook_pulse(self)
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
