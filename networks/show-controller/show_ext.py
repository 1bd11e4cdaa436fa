class ShowExt:
    """The show's behaviour. Promoted (capitalised) members are the COMP's
    own: op.Show.GoTo(2), op.Show.Hue."""

    def __init__(self, ownerComp):
        self.ownerComp = ownerComp
        self.cues = ownerComp.op('cues')
        self.Current = None

    def _row(self, n):
        cell = self.cues.findCell(str(n), cols=[0])
        return cell.row if cell is not None else None

    def GoTo(self, n):
        row = self._row(n)
        if row is None:
            debug('no cue %s in the cue list' % n)
            return False
        self.Current = row
        self.cues[row, 'played'] = 'yes'       # the table, edited live
        name = self.cues[row, 'name'].val
        self.ownerComp.op('log').appendRow([n, name, absTime.frame])
        print('cue %s (%s)' % (n, name))
        return True

    def Next(self):
        n = int(self.ownerComp.par.Cue) + 1
        if self._row(n) is not None:
            self.ownerComp.par.Cue = n       # watch.py plays it

    @property
    def Hue(self):
        return float(self.cues[self.Current, 'hue']) if self.Current else 0.0

    @property
    def Brightness(self):
        return float(self.cues[self.Current, 'brightness']) \
            if self.Current else 1.0
