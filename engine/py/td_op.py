# Ops: time, OP (TouchDesigner's OP class) and what every family shares.

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
    _hooks = 0  # enum op_hook bits of its type (set per type in td_types)

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
    isBase = False  # a Base COMP's class (comp_base.py) says True
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
