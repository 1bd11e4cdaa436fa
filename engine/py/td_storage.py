# ---- what survives a reload and a restart (kiosk/state.c)

_storage_warned = set()


_storage_cache = {}  # (oid, key): (value, its pickle, a copy of an array)
_storage_sizes = {}  # (oid, key): bytes its pickle took at the last save
_storage_total = [0]  # their sum, kept as they change

# Values that cannot change behind the same object: a save reuses their
# pickle instead of pickling them again.
_STORAGE_FIXED = (int, float, complex, bool, str, bytes, type(None), range)


def _storage_fixed(v, depth=0):
    if isinstance(v, _STORAGE_FIXED):
        return True
    if isinstance(v, (tuple, frozenset)) and depth < 4 and len(v) <= 64:
        return all(_storage_fixed(x, depth + 1) for x in v)
    return False


def _storage_snapshot(v):
    """A copy of a NumPy array of numbers, to tell at the next save whether
    it changed without pickling it again (comparing costs less)."""
    if type(v).__name__ == 'ndarray' and v.dtype.kind in 'biufc':
        return v.copy()
    return None


def _storage_same_array(v, snap):
    if snap is None or v.shape != snap.shape or v.dtype != snap.dtype:
        return False
    import numpy
    return bool(numpy.array_equal(v, snap))  # NaNs: pickled again


def _storage_pickle(v):
    import pickle
    return pickle.dumps(v, protocol=pickle.HIGHEST_PROTOCOL)


def _storage_size(v):
    """What v would take in a save, without pickling big arrays and
    strings to find out."""
    nbytes = getattr(v, 'nbytes', None)
    if isinstance(nbytes, int) and hasattr(v, 'dtype'):
        return nbytes
    if isinstance(v, (bytes, bytearray, str)):
        return len(v)
    try:
        return len(_storage_pickle(v))
    except Exception:
        return 0  # kept in memory only; the save says so


def _storage_room(oid, key, value):
    """Raises when storing value under key would take op.storage past
    [state] max_storage."""
    limit = _vt.storage_max()
    if not limit:
        return
    size = _storage_size(value)
    total = _storage_total[0] - _storage_sizes.get((oid, key), 0) + size
    if total > limit:
        raise ValueError(
            "op.store(%r): %s would bring op.storage to %s, more than the "
            "%s it may hold ([state] max_storage in kiosk.ini)"
            % (key, _mb(size), _mb(total), _mb(limit)))
    _storage_sizes[(oid, key)] = size
    _storage_total[0] = total


def _mb(n):
    return '%.1f MB' % (n / 1048576)


def _storage_collect():
    """op.storage of every op that has some, for a save: (changed, [(path,
    key pickle, value pickle)]), each value pickled on its own (so that
    one that cannot be read back costs only itself). A value that cannot
    change and is the same object as at the last save keeps its pickle;
    changed is False when every pickle is as it was. Values that cannot be
    pickled, and those beyond [state] max_storage, are left out with a
    warning once per op and key."""
    global _storage_cache
    cache, entries, changed, total = {}, [], False, 0
    limit = _vt.storage_max()
    for oid, s in _state.items():
        st = s.get('storage')
        if not st or not _vt.alive(oid):
            continue
        path = _vt.info(oid)[1]
        for k, v in list(st.items()):
            old = _storage_cache.get((oid, k))
            snap = None
            try:
                if old is not None and old[0] is v and (
                        _storage_fixed(v) or _storage_same_array(v, old[2])):
                    data, snap = old[1], old[2]
                else:
                    data = _storage_pickle(v)
                    changed = changed or old is None or old[1] != data
                    snap = _storage_snapshot(v)
                key = _storage_pickle(k)
            except Exception as e:
                _storage_warn(path, k, "not kept across restarts: %s" % e)
                continue
            if limit and total + len(data) > limit:
                _storage_warn(path, k, "not kept across restarts: with it "
                              "op.storage would hold more than the %s of "
                              "[state] max_storage" % _mb(limit))
                continue
            total += len(data)
            cache[(oid, k)] = (v, data, snap)
            entries.append((path, key, data))
    changed = changed or cache.keys() != _storage_cache.keys()
    _storage_cache = cache
    _storage_sizes.clear()
    _storage_sizes.update((k, len(e[1])) for k, e in cache.items())
    _storage_total[0] = total
    return changed, entries


def _storage_warn(path, key, what):
    if (path, key) not in _storage_warned:
        _storage_warned.add((path, key))
        _vt.log(4, '[%s]' % path, "storage %r is %s" % (key, what))


# What a stored value may be made of when it is read back: plain Python
# values and containers, NumPy arrays and scalars, and classes the
# network's own modules define. Anything else a pickle names (os.system,
# a __reduce__ that calls out) is refused before it runs.
_STORAGE_SAFE = {
    'builtins': {'dict', 'list', 'set', 'frozenset', 'tuple', 'bytearray',
                 'bytes', 'str', 'int', 'float', 'complex', 'bool',
                 'range', 'slice'},
    'collections': {'OrderedDict', 'deque', 'defaultdict', 'Counter'},
    'datetime': {'datetime', 'date', 'time', 'timedelta', 'timezone'},
    'decimal': {'Decimal'},
    'fractions': {'Fraction'},
    'numpy': {'ndarray', 'dtype'},
    'numpy.core.multiarray': {'_reconstruct', 'scalar'},
    'numpy._core.multiarray': {'_reconstruct', 'scalar'},
    'numpy.core.numeric': {'_frombuffer'},  # pickle protocol 5
    'numpy._core.numeric': {'_frombuffer'},
}


def _storage_unpickle(data):
    import io
    import pickle

    class Restricted(pickle.Unpickler):
        def find_class(self, module, name):
            if name in _STORAGE_SAFE.get(module, ()):
                return super().find_class(module, name)
            for _, m in _modules.values():  # the network's own classes
                if m.__name__ == module:
                    c = getattr(m, name, None)
                    if isinstance(c, type):
                        return c
            raise pickle.UnpicklingError(
                "%s.%s is not something op.storage keeps (plain values, "
                "containers, NumPy arrays and the network's own classes)"
                % (module, name))
    return Restricted(io.BytesIO(data)).load()


def _storage_load_entry(path, key, value):
    """One value a save wrote (path, and the key's and value's pickles in
    base64) back into the op of that path; one that cannot be read back
    (its class changed since, or it names something outside what storage
    keeps) is said and skipped. 1 when it was put back."""
    import base64
    oid = _vt.find(_vt.root(), path)
    if not oid:
        return 0
    try:
        k = _storage_unpickle(base64.b64decode(key))
    except Exception as e:
        _vt.log(4, '[%s]' % path, "a storage key could not be read back: "
                "%s: %s; left out" % (type(e).__name__, e))
        return 0
    try:
        v = _storage_unpickle(base64.b64decode(value))
    except Exception as e:
        _vt.log(4, '[%s]' % path, "storage %r could not be read back: "
                "%s: %s; left out" % (k, type(e).__name__, e))
        return 0
    _wrap(oid)._state()['storage'][k] = v
    return 1


def _storage_load(text):
    """The earlier formats: one line of base64 holding every op's storage
    (format 2: each value pickled on its own; before it, one pickle of
    everything). Returns how many ops got something back."""
    import base64
    if not text:
        return 0
    try:
        data = _storage_unpickle(base64.b64decode(text))
    except Exception as e:
        _vt.log(4, '[state]', "op.storage could not be read back: %s: %s; "
                "left out" % (type(e).__name__, e))
        return 0
    per_value = data.get('format') == 2
    n = 0
    for path, st in (data['ops'] if per_value else data).items():
        oid = _vt.find(_vt.root(), path)
        if not oid:
            continue
        storage = _wrap(oid)._state()['storage']
        for k, v in st.items():
            if per_value:
                try:
                    v = _storage_unpickle(v)
                except Exception as e:
                    _vt.log(4, '[%s]' % path, "storage '%s' could "
                            "not be read back: %s: %s; left out"
                            % (k, type(e).__name__, e))
                    continue
            storage[k] = v
        n += 1
    return n


def _started_paths():
    """Paths of the scripts whose start has run, for a reload."""
    return [_vt.info(i)[1] for i in _started if _vt.alive(i)]


def _mark_started(paths):
    """After a reload: scripts already started (onStart, run = start)
    do not start again; new ones do (onCreate)."""
    for path in paths:
        oid = _vt.find(_vt.root(), path)
        if oid:
            _started.add(oid)
