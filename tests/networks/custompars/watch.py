def onValueChange(par, prev):
    print('changed', par.owner.name, par.name, prev, '->', par.eval())

def onPulse(par):
    print('pulsed', par.owner.name, par.name)
