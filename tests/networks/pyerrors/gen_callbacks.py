import numpy

def onCook(scriptOp):
    if me.time.frame >= 3:
        raise ValueError('broken from frame 3 on')
    a = numpy.zeros((16, 32, 4), numpy.uint8)
    a[:, :, 1] = 200
    a[:, :, 3] = 255
    scriptOp.copyNumpyArray(a)
