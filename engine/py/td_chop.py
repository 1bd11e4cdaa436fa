# CHOPs: Channel and CHOP.

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
