# dat_text.py: the Text DAT's Python class (dat_text.c's op type names it
# and its hook; td runs this file in td's namespace).


class textDAT(DAT):
    """A Text DAT: with `run` at start its text runs as a script once, the
    first frame it is set so; at frame, at the start of every frame."""

    def _hook_frame_start(self, frame):
        run = _vt.par_get(self._id, 'run')
        if run == 'frame' or (run == 'start' and self._id not in _started):
            _started.add(self._id)
            _vt.cook(self._id, False)
            _run_text(self)
