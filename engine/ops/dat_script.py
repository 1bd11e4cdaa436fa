# dat_script.py: the Script DAT's Python class (dat_script.c's op type
# names it; td runs this file in td's namespace).

class scriptDAT(DAT, _ScriptOp):
    """A Script DAT: its callbacks' onCook(scriptOp) makes the table with
    the table methods (clear, appendRow, [r, c] = v, ...) or `text`."""

    def _put(self, rows):
        width = max((len(r) for r in rows), default=0)
        _vt.dat_put(self._id, [[str(c) for c in r] + [''] * (width - len(r))
                               for r in rows])

    text = property(DAT.text.fget,
                    lambda self, v: _vt.dat_put(self._id, str(v)))
