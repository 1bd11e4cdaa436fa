def onFrameStart(frame):
    if frame == 2:
        while True:
            try:
                pass
            except Exception:
                pass  # swallowing Exception does not stop the budget
