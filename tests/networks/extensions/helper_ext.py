class Helper:
    def __init__(self, ownerComp):
        self.ownerComp = ownerComp

    def Twice(self, v):
        return v * 2
