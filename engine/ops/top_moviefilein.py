# top_moviefilein.py: the Movie File In TOP's Python class
# (top_moviefilein.c's op type names it; td runs this file in td's
# namespace).


class moviefileinTOP(TOP):
    """A Movie File In TOP: a movie, a still or an image sequence shown by
    the clock. Its members say what is open and where it plays; preload()
    readies a file before a script or a cue switches `file` to it."""

    def _mi(self):
        return _vt.op_info(self._id)

    def _num(self, key):
        return self._mi().get(key, 0.0)

    # TouchDesigner's members
    isOpen = property(lambda self: bool(self._num('open')))
    fileOpenPending = property(
        lambda self: bool(self._num('file_open_pending')))
    numImages = property(lambda self: int(self._num('num_images')))
    trueLength = property(lambda self: int(self._num('num_images')))
    sampleRate = property(lambda self: self._num('sample_rate'))
    rate = property(lambda self: self._num('sample_rate'))
    # vitrine's: the frame shown (-1 none), frames late so far
    index = property(lambda self: int(self._num('index')))
    lateFrames = property(lambda self: int(self._num('late_frames')))

    def isFullyPreRead(self):
        """Whether as many frames as Pre-Read Frames asks are decoded."""
        return bool(self._num('fully_preread'))

    def info(self):
        """What an Info CHOP on it would show, as a dict of numbers."""
        return dict(self._mi())

    def preload(self, index=None, file=None):
        """Opens file (default: the current `file`) and decodes ahead the
        frame a switch to it will show, so that setting `file` to it later
        shows its frame in that same frame. index is accepted as
        TouchDesigner's and not needed: the frame comes from the
        parameters."""
        _vt.op_act(self._id, 'preload', '' if file is None else str(file),
                   -1.0 if index is None else float(index))

    def unload(self, file=None):
        """Closes a file preload() opened (all of them without file)."""
        _vt.op_act(self._id, 'unload', '' if file is None else str(file),
                   0.0)
