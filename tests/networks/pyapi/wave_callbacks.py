def onCook(scriptOp):
    scriptOp.clear()
    scriptOp.numSamples = 4
    c = scriptOp.appendChan('ramp')
    c.vals = [0, 1, 2, 3]
    t = scriptOp.appendChan('time')
    for i in range(4):
        t[i] = me.time.frame
