# dat_execute.py: the Execute DAT's Python class (dat_execute.c's op type
# names it and its hooks; td runs this file in td's namespace).


class executeDAT(DAT):
    """An Execute DAT: its callbacks get onCreate and onStart (its first
    frame), onFrameStart, onFrameEnd and onExit, each where its toggle is
    on and the DAT is active."""

    def _on(self, name):
        return _active(self) and _vt.par_get(self._id, name)

    def _hook_start(self):
        if _active(self):
            if _vt.par_get(self._id, 'create'):
                _run_callback(self, 'onCreate')
            if _vt.par_get(self._id, 'start'):
                _run_callback(self, 'onStart')

    def _hook_frame_start(self, frame):
        if self._on('framestart'):
            _run_callback(self, 'onFrameStart', frame)

    def _hook_frame_end(self, frame):
        if self._on('frameend'):
            _run_callback(self, 'onFrameEnd', frame)

    def _hook_exit(self):
        if self._on('exit'):
            _run_callback(self, 'onExit')
