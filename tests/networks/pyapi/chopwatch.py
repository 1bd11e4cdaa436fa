def onOffToOn(channel, sampleIndex, val, prev):
    print('on', channel.name, val, prev)

def onOnToOff(channel, sampleIndex, val, prev):
    print('off', channel.name, val, prev)

def onValueChange(channel, sampleIndex, val, prev):
    print('value', channel.name, val, prev)
