def onStart():
    c = parent()
    p = c.par.Speed
    print('speed', p.eval(), p.label, p.page.name, p.default, p.min, p.max,
          p.clampMin, p.clampMax, p.isCustom, p.style, p.isFloat)
    print('tint', c.par.Tintr.eval(), c.par.Tintg.eval(), c.par.Tintb.eval(),
          c.par.Tintr.style)
    print('mode', c.par.Mode.eval(), c.par.Mode.menuIndex, c.par.Mode.menuNames,
          c.par.Mode.menuLabels, 'title', c.par.Title.eval())
    print('lists', [x.name for x in c.customPars],
          [pg.name for pg in c.customPages],
          [x.name for x in c.customPages[0].pars])
    c.par.Speed = 20
    print('clamped', c.par.Speed.eval())
    c.par.Speed = 2
    c.par.Mode = 'slow'
    c.par.Mode.menuIndex = 2
    print('set', c.par.Speed.eval(), c.par.Mode.eval(), op('rate')['rate'].eval())
    page = c.appendCustomPage('Extra')
    made = page.appendFloat('Gain', label='Gain', size=2)
    made[0].max = 4
    made[0].clampMax = True
    made[0].val = 9
    print('appended', [x.name for x in made], made[0].eval(), made[1].eval(),
          made[0].max, [pg.name for pg in c.customPages])
    for bad in ('gain', 'Gain_2', 'Speed'):
        try:
            page.appendFloat(bad, replace=False)
        except ValueError as e:
            print('refused', e)
    try:
        c.par.Speed.expr = 'me.time.frame'
        c.par.Speed.expr = ''
        op('/project1/watch').par.ops.max = 3
    except AttributeError as e:
        print('builtin', e)
    c.par.Speed = 3
    c.par.Mode = 'fast'
    page.destroy()
    print('after destroy', [pg.name for pg in c.customPages], 'Gain1' in c.par)

def onFrameStart(frame):
    if frame == 3:
        parent().par.Go.pulse()
        parent().par.Speed = 4
        parent().par.Mode.menuIndex = 0
