def onFrameStart(frame):
    if frame > 2 and not me.fetch('poked', False, search=False):
        me.store('poked', True)
        op('fader').par.value0 = 0.5       # the callback DATs raise
        op('wave').cook()
        op('blur1').cook(force=True)        # its expression fails
        try:
            op('blur1').par.size.eval()     # its expression raises
        except ZeroDivisionError as e:
            print('expression raised', type(e).__name__)

def onFrameEnd(frame):
    print('frame', frame)
