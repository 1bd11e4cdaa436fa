import numpy

def onSetupParameters(scriptOp):
    page = scriptOp.appendCustomPage('Custom')
    page.appendFloat('Gain')
    page.appendPulse('Reset')
    scriptOp.par.Gain = 0.5

def onPulse(par):
    print('pulsed', par.name)

def onCook(scriptOp):
    g = float(scriptOp.par.Gain)
    a = numpy.zeros((4, 8, 4), dtype=numpy.float32)
    a[:, :, 0] = numpy.linspace(0, 1, 8)[None, :]
    a[0, :, 1] = g          # row 0 is the bottom row
    a[:, :, 3] = 1
    scriptOp.copyNumpyArray(a)
