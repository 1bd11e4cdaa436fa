def onStart():
    p = parent.Player
    print('parent shortcut', p.path, parent(2).path, p is parent(2))
    print('promoted', p.Go(3), p.Cue, p.ext.PlayerExt.helper())
    print('by name', me.ext.Tools.Twice(21), op.Show.Go(4), op.Show.Cue)
    print('iop', iop.Settings.path, ipar.Settings.Volume.eval())
    p.Cue = 7
    print('set promoted', p.ext.PlayerExt.Cue, len(p.extensions))
    for what in ('p.helper', 'p.Nothing', 'parent.Nobody', 'op.Nowhere',
                 'me.ext.Missing', 'iop.Missing'):
        try:
            eval(what)
        except AttributeError as e:
            print('missing', e)

def onFrameStart(frame):
    if frame == 3:
        print('inited', parent.Player.ext.PlayerExt.inited)
        parent.Player.par.reinitextensions.pulse()
    if frame == 5:
        print('after reinit', parent.Player.Cue)
