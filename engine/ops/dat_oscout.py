# dat_oscout.py: the OSC Out DAT's Python class (sendOSC, sendBytes,
# sendBundle) and the OSC encoding that replies to a sender (Peer) share;
# dat_oscout.c's op type names it; td runs this file in td's namespace.


def _osc_encode(address, args=()):
    """An OSC message, through the runtime's codec (liblo): int i (h past
    32 bits), float f, str s, bytes b, bool T/F, None N, lists as
    arrays."""
    if not isinstance(args, (list, tuple)):
        args = [args]
    return _vt.osc_message(str(address), [_value(a) for a in args])


def _osc_bundle(messages, when=None):
    """[(address, args), ...] as one bundle; when: Unix seconds."""
    return _vt.osc_bundle(
        [(str(a), [_value(x) for x in (v if isinstance(v, (list, tuple))
                                       else [v])]) for a, v in messages],
        when)


def _udp():
    s = _state.setdefault(0, {})
    if 'udp' not in s:
        import socket
        s['udp'] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    return s['udp']


class Peer:
    """Where an OSC message came from (onReceiveOSC's peer);
    sendOSC(address, args) replies to it."""
    __slots__ = ('address', 'port', 'owner')

    def __init__(self, address, port, owner):
        self.address, self.port, self.owner = address, port, owner

    def sendOSC(self, address, args=()):
        _udp().sendto(_osc_encode(address, args), (self.address, self.port))

    def __repr__(self):
        return "Peer(%s:%d)" % (self.address, self.port)


class oscoutDAT(DAT):
    """An OSC Out DAT: sends to its netaddress:port."""

    def _dest(self):
        return (_vt.par_get(self._id, 'netaddress') or '127.0.0.1',
                _vt.par_get(self._id, 'port'))

    def sendBytes(self, *data):
        if not _vt.par_get(self._id, 'active'):
            return 0
        b = b''.join(bytes(d) for d in data)
        return _udp().sendto(b, self._dest())

    def sendOSC(self, address, args=(), asBundle=False,
                useNonStandardTypes=True):
        """One message; asBundle wraps it in a bundle."""
        if asBundle:
            return self.sendBytes(_osc_bundle([(address, args)]))
        return self.sendBytes(_osc_encode(address, args))

    def sendBundle(self, messages, timeTag=None):
        """[(address, args), ...] as one bundle, applied at timeTag (Unix
        seconds) by receivers that honour timetags."""
        return self.sendBytes(_osc_bundle(messages, timeTag))
