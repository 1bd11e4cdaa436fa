def onStart():
    print('start')


def onFrameStart(frame):
    pass
