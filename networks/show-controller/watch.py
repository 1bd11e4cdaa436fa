def onValueChange(par, prev):
    if par.name == 'Cue':
        op.Show.GoTo(int(par))

def onPulse(par):
    op.Show.Next()
