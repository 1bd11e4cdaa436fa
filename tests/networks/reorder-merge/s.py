def onStart():
    for n in ('r1', 'r7', 'r7b', 'r4', 'r5', 'r6', 'r2', 'r3', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'):
        print(n, ' '.join(c.name for c in op(n).chans()))
    print('values', op('r1')['A'].eval(), op('r1')['D'].eval(), op('r5')[0].eval())
    for n in ('m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm8'):
        print(n, [[c.val for c in r] for r in op(n).rows()])
    print('m7', repr(op('m7').text), op('m7').isTable)


def onFrameStart(frame):
    if frame == 2:  # a parameter and an input change: both cook again
        op('r1').par.numpattern = '2'
        op('abcd').par.const3value = 9
        op('t1')[1, 1] = 5
    if frame == 3:
        print('after', ' '.join(c.name for c in op('r1').chans()),
              op('r1')['A'].eval(), op('m2')[1, 'value'].val)
