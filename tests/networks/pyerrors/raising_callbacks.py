def onValueChange(*args):
    raise KeyError('callback failed')
