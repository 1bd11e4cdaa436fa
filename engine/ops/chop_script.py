# chop_script.py: the Script CHOP's Python class (chop_script.c's op
# type names it; td runs this file in td's namespace).

# Samples a channel of a Script CHOP may hold: 16.7 million (128 MB of
# doubles); beyond, one mistyped number would stop the frames for good.
_MAX_SAMPLES = 1 << 24


class scriptCHOP(CHOP, _ScriptOp):
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

    def _cook_begin(self):
        self._out()['rate'] = None

    def _cook_end(self):  # the channels onCook made become its output
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
