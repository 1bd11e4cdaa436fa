# dat_parexec.py: the Parameter Execute DAT's Python class
# (dat_parexec.c's op type names it and its hook; td runs this file in
# td's namespace).


class parexecDAT(DAT):
    """A Parameter Execute DAT: its callbacks get onValueChange(par,
    prev) and onPulse(par) for the parameters `pars` of the ops `ops`."""

    def _hook_pars(self, pulses):
        d = self
        if not _active(d):
            return
        targets = d.ops(*(_vt.par_get(d._id, 'ops') or '').split())
        pattern = _vt.par_get(d._id, 'pars') or '*'
        prev = _prev.setdefault(d._id, {})
        valuechange = _vt.par_get(d._id, 'valuechange')
        onpulse = _vt.par_get(d._id, 'onpulse')
        for t in targets:
            pars = t.pars(*pattern.split())
            if onpulse and pulses:  # each pulse given since the last frame
                names = {p.name for p in pars}
                for oid, name in pulses:
                    if oid == t._id and name in names:
                        _run_callback(d, 'onPulse', t.par[name])
            for p in pars:
                if p.isPulse:
                    continue
                key = (t._id, p.name)
                v = p.eval()
                if isinstance(v, OP):
                    v = v.path
                old = prev.get(key, v)
                prev[key] = v
                if valuechange and v != old:
                    _run_callback(d, 'onValueChange', p, old)
