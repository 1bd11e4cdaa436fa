import time


def onFrameStart(frame):
    # when each frame started, for the timetag test
    print('start', frame, repr(time.time()))


def onFrameEnd(frame):
    for name in ('osc1', 'osc2'):
        c = op(name)
        vals = ' '.join('%s=%r' % (ch.name, ch.eval()) for ch in c.chans())
        print(name, frame, vals)
    last = op('osc1')['/1/last']
    if last is not None:
        print('last', frame, last.eval())
