# dat_chopexec.py: the CHOP Execute DAT's Python class (dat_chopexec.c's
# op type names it and its hook; td runs this file in td's namespace).


class chopexecDAT(DAT):
    """A CHOP Execute DAT: its callbacks get onOffToOn, whileOn,
    onOnToOff, whileOff and onValueChange for the channels of its CHOP,
    after each frame's cook."""

    def _hook_cooked(self):
        d = self
        if not _active(d):
            return
        c = d.par.chop.eval()
        if c is None:
            return
        pattern = _vt.par_get(d._id, 'channel') or '*'
        chans = {ch.name: ch for ch in c.chans(*pattern.split())}
        # a channel that appears after the first look (the first OSC or MIDI
        # value of its name) changes from 0; those there at the first look
        # (at start, or restored) are where things begin
        first = d._id not in _prev
        prev = _prev.setdefault(d._id, {})
        before = dict(prev)  # the values at the end of the last frame
        flags = {k: _vt.par_get(d._id, k) for k in (
            'offtoon', 'whileon', 'ontooff', 'whileoff', 'valuechange')}
        last = c.numSamples - 1

        def change(ch, v):
            p = prev.get(ch.name)
            prev[ch.name] = v
            if p is None:
                if first:
                    return
                p = 0.0
            on, was = v > 0, p > 0
            if flags['offtoon'] and on and not was:
                _run_callback(d, 'onOffToOn', ch, last, v, p)
            if flags['ontooff'] and was and not on:
                _run_callback(d, 'onOnToOff', ch, last, v, p)
            if flags['valuechange'] and v != p:
                _run_callback(d, 'onValueChange', ch, last, v, p)

        # an input CHOP (OSC In, MIDI In) tells every value it took this
        # frame, in order: a pad tapped within one frame is an on and an off
        events = _vt.chop_events(c._id)
        if events is None or first:
            for ch in chans.values():
                change(ch, ch.eval())
        else:
            for name, v in events:
                ch = chans.get(name)
                if ch is not None:
                    change(ch, v)
        for ch in chans.values():
            v = ch.eval()
            if ch.name not in before:
                continue
            if flags['whileon'] and v > 0:
                _run_callback(d, 'whileOn', ch, last, v, before[ch.name])
            if flags['whileoff'] and not v > 0:
                _run_callback(d, 'whileOff', ch, last, v, before[ch.name])
