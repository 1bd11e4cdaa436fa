# dat_oscin.py: the OSC In DAT's Python class (dat_oscin.c's op type
# names it; td runs this file in td's namespace).


class oscinDAT(DAT):
    """An OSC In DAT: a row per message, and onReceiveOSC(dat, rowIndex,
    message, byteData, timeStamp, address, args, peer) in its callbacks
    DAT for each."""

    def _receive(self, row, raw, timetag, address, ip, port):
        m = _callbacks_of(self._id)
        fn = getattr(m, 'onReceiveOSC', None) if m else None
        if fn is None:
            return
        args = []
        if raw:  # every OSC 1.0 type as a Python value (osc_codec.c)
            address, args = _vt.osc_parse(raw)
        message = ' '.join([address] + [repr(a) if isinstance(a, str) else
                                        str(a) for a in args])
        stamp = 0.0 if timetag == 1 else (timetag >> 32) - 2208988800 + \
            (timetag & 0xffffffff) / 4294967296.0
        if stamp < 0:
            stamp = 0.0
        _guarded(self._id, fn, self, row, message, bytes(raw), stamp,
                 address, args, Peer(ip, port, self))


def _osc_receive(oid, row, *message):  # py_osc_receive's way in
    _wrap(oid)._receive(row, *message)
