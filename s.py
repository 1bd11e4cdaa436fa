n = op('noise1'); p = n.par.period
print(repr(op('box/inner1').op('..')), repr(op('box/inner1').parent(2)))
print(p.name, p.owner, p.isFloat, p.isNumber, p.isMenu, p.default, p.label)
n.par.period.reset(); print('reset', n.par.period.eval())
t = n.par.type; print(t.isMenu, t.eval(), t.menuIndex, t.menuNames, t.menuLabels)
b = op('blur1'); b.par.size.expr = 'me.time.frame + 1'; print('expr', b.par.size.eval(), b.par.size.mode)
lv = op('level1'); print('toggle', lv.par.invert.isToggle, repr(lv.par.invert.eval()))
h = op('helpers'); h.text = "RESULT = 1 + 1\n"; print(repr(h.text))
