# Calls every public member of the API's objects with odd arguments and
# sets every settable attribute to odd values, one object a frame. Any
# Python exception is an answer; a crash, a hang or a wrong exception type
# (SystemError: the C side lost track) is not. Prints FUZZ lines.
import numpy

ODD = [None, 0, -1, 1, 2, 2**31, 2**63, 2**70, -2**70, 0.5, 1e308, -1e308,
       float('nan'), float('inf'), True, '', 'x', 'noise1', '../..', '/',
       '*', '/project1', 'a\x00b', '\udcff', 'é' * 300, 'x' * 5000,
       b'', b'\xff\x00', bytearray(3), [], [1, 'a'], (), (0, 0), {},
       {'a': 1}, object(), len, numpy.zeros(0),
       numpy.zeros((2, 2, 4), numpy.float32),
       numpy.zeros((1, 1, 1), numpy.uint8),
       numpy.zeros((3, 3, 4), numpy.float64),
       numpy.zeros((2, 3), numpy.int64), numpy.float32(2.5)]
# Members left alone: they write files or end the object; and on the
# callbacks DATs, what would replace the callbacks.
SKIP = {'save', 'destroy', 'changeType', 'storeStartupValue'}
SKIP_CALLBACKS = {'run', 'module', 'text', 'write', 'clear'}
counts = {'calls': 0, 'raised': 0, 'sets': 0}
kinds = {}
bad = []
targets = []


def note(where, e):
    counts['raised'] += 1
    kinds[type(e).__name__] = kinds.get(type(e).__name__, 0) + 1
    if isinstance(e, SystemError):
        bad.append(f'{where}: {type(e).__name__}: {e}')


def attempt(where, fn, *args):
    counts['calls'] += 1
    try:
        fn(*args)
    except Exception as e:
        note(where, e)


def members(label, o):
    skip = SKIP | (SKIP_CALLBACKS if label.endswith('_callbacks') else set())
    names = [n for n in dir(o) if not n.startswith('_') and n not in skip]
    return names + ['__getitem__', '__setitem__', '__call__', '__len__',
                    '__iter__', '__contains__', '__eq__', '__hash__',
                    '__repr__', '__str__', '__float__', '__int__',
                    '__bool__', '__add__', '__lt__']


def fuzz(label, o):
    for name in members(label, o):
        where = f'{label}.{name}'
        try:
            v = getattr(o, name)
        except Exception as e:
            counts['calls'] += 1
            note(where, e)
            continue
        if callable(v) and not isinstance(v, type):
            attempt(where, v)
            for a in ODD:
                attempt(where, v, a)
            for a in ODD[::5]:
                for b in ODD[::7]:
                    attempt(where, v, a, b)
        if not name.startswith('__'):
            for a in ODD:
                counts['sets'] += 1
                try:
                    setattr(o, name, a)
                except Exception as e:
                    note(where + ' =', e)


def collect():
    for o in ops('*') + ops('box/*'):
        if o.name == 'fuzz':
            continue
        targets.append((o.path, o))
        targets.append((o.path + '.par', o.par))
        for p in o.pars():
            targets.append((f'{o.path}.par.{p.name}', p))
        if hasattr(o, 'chans'):
            for c in o.chans():
                targets.append((f'{o.path}[{c.name}]', c))
    # every registered type the network lacks, made here: the list is the
    # registry's, not this file's
    have = {o.OPType for o in ops('*') + ops('box/*')}
    made = parent().create(baseCOMP, 'made')
    for optype in sorted(td._CLASSES):
        if optype not in have:
            o = made.create(optype)
            targets.append((o.path, o))
            targets.append((o.path + '.par', o.par))
    print(f'FUZZ made {len(made.children)} more types')
    for n in ('op', 'ops', 'opex', 'parent', 'absTime', 'debug', 'mod'):
        targets.append((n, globals()[n] if n in globals() else None))
    t = op('table1')
    targets.append(('table1.cell', t[0, 0]))
    targets.append(('table1.row', t.row(0)))


cooked = set()


def fuzz_cooking(s):
    """From a Script op's onCook, where numSamples, appendChan and
    copyNumpyArray act on the output being made; once an op."""
    if s.OPType in cooked:
        return
    cooked.add(s.OPType)
    try:
        s.cook(force=True)
    except RuntimeError as e:
        print('FUZZ SELF-COOK', e)
    fuzz(s.path + ' (cooking)', s)
    print(f"FUZZ COOKED {s.OPType} {counts['calls']} calls")


def onStart():
    collect()
    print(f'FUZZ {len(targets)} objects')


# Frames may be skipped when one runs long, so the steps are counted.
step = [0]


PER_FRAME = 4


def onFrameStart(frame):
    i = step[0]
    step[0] += 1
    first = (i - 1) * PER_FRAME
    if i == 0:  # nothing shown pulls it: its onCook fuzzes itself
        op('wave').cook(force=True)
    elif first < len(targets):
        for label, o in targets[first:first + PER_FRAME]:
            if o is not None:
                fuzz(label, o)
    elif first < len(targets) + PER_FRAME:
        for line in bad:
            print('FUZZ BAD', line)
        top = sorted(kinds.items(), key=lambda kv: -kv[1])[:8]
        print(f"FUZZ DONE {counts['calls']} calls, {counts['sets']} sets, "
              f"{counts['raised']} raised ({top})")
