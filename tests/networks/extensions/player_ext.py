class PlayerExt:
    """The player's behaviour: promoted members start with a capital."""

    def __init__(self, ownerComp):
        self.ownerComp = ownerComp
        self.Cue = 0
        self.inited = False
        print('init', ownerComp.name)

    def onInitTD(self):
        self.inited = True
        print('onInitTD', self.Cue)

    def onDestroyTD(self):
        print('onDestroyTD', self.Cue)

    def Go(self, n):
        self.Cue = n
        return 'cue %d at rate %g' % (n, self.ownerComp.par.Rate.eval())

    def helper(self):
        return 'not promoted'
