# /cue N: fade from what is on screen to cue N over its fade time.


def onValueChange(channel, sampleIndex, val, prev):
    n = int(round(val))
    to = mod.look.row_values(n)
    if to is None:
        debug('no cue %d in the cue list; staying where we are' % n)
        return
    root = op('/project1')
    root.store('cue_from', {k: mod.look.value(k) for k in mod.look.NAMES})
    root.store('cue_to', to)
    root.store('cue', n)
    fade = float(op('cues')[str(n), 'fade'])
    # the timer's length reads it: it stays through reloads and restarts
    root.store('cue_fade', max(fade, 0.001))
    op('fade').par.start.pulse()
    print('cue %d (%s): fading over %g s' % (n, op('cues')[str(n), 'name'],
                                            fade))


def onOffToOn(channel, sampleIndex, val, prev):
    print('cue %s in place: hue %.1f' % (op('/project1').fetch('cue', 0),
                                         mod.look.value('hue')))
