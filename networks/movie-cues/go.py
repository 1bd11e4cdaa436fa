# /cue N: cue N's file on screen from its start, and its caption. Every
# cue's file is readied at start, so a switch shows the new file's first
# frame in the frame the cue arrives.


def onStart():
    cues = op('cues')
    for r in range(1, cues.numRows):
        op('movie').preload(file=cues[r, 'file'].val)


def onValueChange(channel, sampleIndex, val, prev):
    n = int(round(val))
    cues = op('cues')
    if cues[str(n), 'file'] is None:
        debug('no cue %d in the cue list; staying where we are' % n)
        return
    movie = op('movie')
    movie.par.file = cues[str(n), 'file'].val
    movie.par.cuepulse.pulse()
    op('caption').par.text = cues[str(n), 'caption'].val
    print('cue %d (%s): %s' % (n, cues[str(n), 'name'].val,
                                movie.par.file.eval()))
