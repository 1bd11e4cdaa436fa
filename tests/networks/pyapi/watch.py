def onValueChange(par, prev):
    print('changed', par.owner.name, par.name, prev, '->', par.eval())
