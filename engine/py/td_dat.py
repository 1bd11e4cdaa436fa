# DATs: Cell and DAT, the text and table API.

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
