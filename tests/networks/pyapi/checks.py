# Checks of the Python API, run by vitrine itself. Each prints PASS or
# FAIL with its name; tests/e2e/test_python_api.py counts them.
import math
import pickle


def check(name, cond, detail=''):
    print(('PASS ' if cond else 'FAIL ') + name + ('' if cond else
                                                   ': ' + str(detail)))


def raises(name, exc, fn, *words):
    try:
        fn()
    except exc as e:
        msg = str(e)
        check(name, all(w in msg for w in words), msg)
        return
    except BaseException as e:
        check(name, False, 'raised %r' % e)
        return
    check(name, False, 'did not raise')


def onStart():
    # globals
    check('me', me.name == 'checks' and me.path == '/project1/checks')
    check('parent', parent() is op('/project1') and parent().name ==
          'project1')
    check('absTime', absTime.frame >= 1 and absTime.seconds >= 0)
    check('td module', td.ParMode.CONSTANT.name == 'CONSTANT'
          and td.OP is not None)
    check('debug', debug('debug line') is None)
    check('mod', mod.helpers.double(21) == 42
          and mod.helpers.GREETING == 'hello from helpers')
    check('mod python', mod.math.pi == math.pi)

    # OP
    n = op('noise1')
    check('op identity', n is op('noise1') and n == op('/project1/noise1'))
    check('op missing', op('nope') is None)
    check('ops pattern', [o.name for o in ops('noise*', 'blur1')]
          == ['noise1', 'blur1'])
    raises('opex', ValueError, lambda: opex('nope'), 'nope')
    raises('op shortcut', AttributeError, lambda: op.noise1,
           "op.noise1: no COMP has the Global OP Shortcut 'noise1'")
    raises('op keywords', TypeError, lambda: op(path='noise1'), 'keywords')
    # several paths: the first that exists (the slow path, no cache)
    check('op several', op('nope', 'blur1', 'noise1') is op('blur1'))
    check('valid id', n.valid and isinstance(n.id, int) and op(n.id) is n)
    check('type', (n.type, n.OPType, n.family, n.label)
          == ('noise', 'noiseTOP', 'TOP', 'Noise'))
    check('is', n.isTOP and not n.isCHOP and not n.isDAT and not n.isCOMP
          and not n.isSOP and not n.isMAT)
    check('filter', op('blur1').isFilter and not n.isFilter
          and op('blur1').minInputs == 1 and op('blur1').maxInputs == 1)
    check('digits base', (n.digits, n.base) == (1, 'noise'))
    check('inputs outputs', op('blur1').inputs == [n]
          and op('blur1') in n.outputs)
    box = op('box')
    check('children', [c.name for c in box.children] == ['inner1']
          and box.numChildren == 1 and box.isCOMP)
    check('numChildrenRecursive',
          op('/project1').numChildrenRecursive == len(
              op('/project1').findChildren()))
    check('relative', op('box/inner1').parent() is box
          and box.op('inner1') is op('box/inner1')
          and op('box/inner1').op('..').path == '/project1'
          and box.op('..').path == '/project1'
          and op('box/inner1').parent(2).path == '/project1')
    check('relativePath', n.relativePath(op('box/inner1')) == 'box/inner1')
    check('time', me.time.rate == 60 and me.time.frame == 1
          and me.time.seconds == 0)
    check('storage', me.store('cue', 3) == 3 and me.fetch('cue') == 3
          and parent().fetch('cue', 'dflt') == 'dflt')
    parent().store('show', 'night')
    check('fetch search', me.fetch('show') == 'night'
          and me.fetchOwner('show') is parent())
    me.unstore('cue')
    check('unstore', me.fetch('cue', None) is None)
    me.storeStartupValue('k', 1)
    me.unstoreStartupValue('k')
    check('tags', isinstance(me.tags, set))
    check('getstate', pickle.loads(pickle.dumps(n)) == n)
    check('errors empty', n.errors() == '' and n.warnings() == '')
    me.addScriptError('oops')
    check('scriptErrors', me.scriptErrors() == 'oops')
    me.clearScriptErrors()
    check('clearScriptErrors', me.scriptErrors() == '')
    me.comment = 'a note'
    me.color = (1, 0, 0)
    check('looks', me.comment == 'a note' and me.color == (1.0, 0.0, 0.0))
    me.openViewer()
    me.nodeX = 100
    check('editor members', me.nodeX == 100)
    check('evalExpression', n.evalExpression('me.name') == 'noise1')
    t = parent().create(noiseTOP, 'typed')
    t.par.period = 3
    r = t.changeType('rampTOP')
    check('changeType', r.OPType == 'rampTOP' and r.name == 'typed'
          and op('typed') is r and r.par.type.eval() == 'horizontal')
    r.destroy()

    # Par
    p = n.par.period
    check('par eval', p.eval() == 4 and p.val == 4 and p == 4)
    check('par arithmetic', p * 2 == 8 and 1 + p == 5 and p / 2 == 2
          and float(p) == 4.0 and int(p) == 4 and str(p) == '4.0'
          and bool(p) and p > 3 and p <= 4 and -p == -4)
    check('par description', p.name == 'period' and p.owner is n
          and p.isFloat and p.isNumber and not p.isMenu
          and p.default == 100.0 and p.label == 'Period')
    n.par.period = 8
    check('par set', n.par.period.eval() == 8
          and p.mode == td.ParMode.CONSTANT)
    n.par.period.val = 6
    check('par val', n.par.period == 6)
    n.par.period.reset()
    check('par reset', n.par.period == 100)
    t = n.par.type
    check('menu', t.isMenu and t.eval() == 'random' and t.menuIndex == 0
          and 'sparse' in t.menuNames and len(t.menuLabels)
          == len(t.menuNames))
    n.par.type = 'sparse'
    check('menu by name', n.par.type == 'sparse')
    n.par.type = 0
    check('menu by index', n.par.type.menuIndex == 0)
    n.par.type.menuIndex = 1
    check('menuIndex set', n.par.type == 'sparse')
    n.par.type = 'random'
    raises('bad menu value', ValueError,
           lambda: setattr(n.par, 'type', 'sparkly'), 'sparkly', 'type',
           '/project1/noise1')
    raises('unknown par', AttributeError, lambda: n.par.perod, 'perod',
           'period', '/project1/noise1')
    raises('unknown par set', AttributeError,
           lambda: setattr(n.par, 'perod', 1), 'period')
    raises('wrong kind', TypeError,
           lambda: setattr(n.par, 'period', [1]), 'period')
    b = op('blur1')
    check('expr mode', b.par.size.mode == td.ParMode.EXPRESSION
          and b.par.size.expr == "op('fader')['speed'] * 3"
          and b.par.size.eval() == 6)
    b.par.size.expr = 'me.time.frame + 1'
    check('expr set', b.par.size.eval() == 2)
    b.par.size = 5
    check('expr to constant', b.par.size.mode == td.ParMode.CONSTANT
          and b.par.size == 5 and b.par.size.expr == '')
    raises('bad expr', SyntaxError,
           lambda: setattr(b.par.size, 'expr', 'op(('), 'size')
    lv = op('level1')
    check('export mode', lv.par.brightness.mode == td.ParMode.EXPORT
          and abs(lv.par.brightness.eval() - 0.25) < 1e-9)
    check('clamp', lv.par.opacity.clampMin and lv.par.opacity.clampMax
          and lv.par.opacity.max == 1)
    lv.par.opacity = 5
    check('clamped set', lv.par.opacity == 1)
    check('toggle', n.par.mono.isToggle and n.par.mono.eval() is True)
    n.par.mono = False
    check('toggle set', n.par.mono.eval() is False and not n.par.mono)
    n.par.mono = 'on'
    check('toggle by name', n.par.mono.eval() is True)
    check('int par rounds', (setattr(b.par, 'filtertype', 'box') or
                             b.par.filtertype == 'box'))
    check('pars', [q.name for q in n.pars('period', 'amp')]
          == ['period', 'amp'] and len(n.pars()) == len(n.builtinPars))
    check('page', n.par.period.page.name == n.par.amp.page.name)
    n.par.amp = 0.5
    n.resetPars('amp')
    check('resetPars', n.par.amp == n.par.amp.default)
    op('noise1').par['amp'] = 0.75
    check('par by index', n.par['amp'] == 0.75)
    n.par.amp.reset()


    # more OP members
    nz = op('noise1')
    nz.bypass = True
    nz.lock = True
    nz.display = True
    nz.render = True
    check('flags', nz.bypass and nz.lock and nz.display and nz.render)
    nz.bypass = nz.lock = nz.display = nz.render = False
    check('cpu stats', nz.cpuCookTime >= 0 and nz.cpuMemory == 0
          and nz.gpuMemory >= 0)
    check('shortcutPath', me.shortcutPath(nz) == "op('/project1/noise1')"
          and me.shortcutPath(nz, 'period') ==
          "op('/project1/noise1').par.period")
    inner = op('box/inner1')
    inner.addWarning('careful')
    check('addWarning', inner.warnings() == 'careful')
    inner.addError('broken on purpose')
    check('addError', inner.errors() == 'broken on purpose'
          and 'broken on purpose' in op('box').errors(recurse=True))
    inner.addError('')
    inner.addWarning('')
    check('cleared', inner.errors() == '' and inner.warnings() == '')
    inner.name = 'renamed1'
    check('rename', inner.path == '/project1/box/renamed1'
          and op('box/renamed1') is inner and op('box/inner1') is None)
    raises('rename taken', ValueError, lambda: setattr(inner, 'name', '1x'),
           'invalid operator name')
    inner.name = 'inner1'
    lv = op('level1')
    lv.setInputs([op('noise1')])
    check('setInputs', lv.inputs == [op('noise1')])
    lv.setInputs([op('blur1')])
    raises('setInputs family', ValueError,
           lambda: lv.setInputs([op('fader')]), 'fader', 'TOP')
    op('box/inner1').copyParameters(op('fader'))
    check('copyParameters', op('box/inner1').par.value0 == 0.25
          and op('box/inner1').par.name0 == 'level')
    gone = op('box/inner1')
    gone.destroy()
    check('destroy', not gone.valid and op('box/inner1') is None
          and op('box').numChildren == 0)
    raises('destroyed op', ReferenceError, lambda: gone.path, 'no longer')
    q = op('noise1').par
    check('par kinds', q.harmon.isInt and not q.harmon.isFloat
          and q.mono.isToggle and not q.period.isString
          and q.period.normMin == 1 and q.period.normMax >= 100
          and not q.period.isPulse)

    # CHOP
    f = op('fader')
    check('chop index', f[0].eval() == 0.25 and f['speed'].eval() == 2
          and f['nope'] is None)
    check('chop info', f.numChans == 2 and f.numSamples == 1
          and f.rate == 60)
    check('chans', [c.name for c in f.chans('s*')] == ['speed']
          and f.chan('level').index == 0 and f.level.eval() == 0.25)
    check('channel arithmetic', f['speed'] * 10 == 20 and
          float(f[0]) == 0.25 and f[0] < f[1] and f[1].owner is f)
    check('channel vals', f[1].vals == [2.0] and f.vals == [0.25, 2.0])
    a = f.numpyArray()
    check('chop numpyArray', a.shape == (2, 1) and a[1, 0] == 2
          and str(a.dtype) == 'float32')
    raises('chop index error', IndexError, lambda: f[5], 'fader', '2')

    # DAT
    tb = op('table1')
    check('table', tb.numRows == 3 and tb.numCols == 2
          and tb[1, 0].val == 'alpha' and tb['beta', 'value'].val == '2'
          and tb[2, 1] == '2' and tb[9, 9] is None)
    check('row col', [str(c) for c in tb.row('alpha')] == ['alpha', '1']
          and [str(c) for c in tb.col('value')] == ['value', '1', '2'])
    cb = op('gen_callbacks')
    check('text', 'def onCook' in cb.text and cb.isText)
    tmp = op('helpers')
    old = tmp.text
    tmp.text = "RESULT = 1 + 1\n"
    check('text set', tmp.text == "RESULT = 1 + 1\n"
          and tmp.module.RESULT == 2)
    tmp.text = "print('ran', me.name)"
    tmp.run()
    tmp.text = old
    check('module reloads', mod.helpers.double(2) == 4)

    # TOP
    s = op('shown')
    check('top size', (s.width, s.height, s.depth) == (64, 32, 1)
          and s.aspect == 2 and s.pixelFormat == 'rgba8'
          and s.gpuMemory == 64 * 32 * 4)
    arr = s.numpyArray()
    check('numpyArray', arr.shape == (32, 64, 4)
          and str(arr.dtype) == 'float32' and 0 <= arr.min()
          and arr.max() <= 1)
    check('numpyArray delayed', s.numpyArray(delayed=True) is None
          and s.numpyArray(delayed=True).shape == (32, 64, 4))
    check('sample', len(s.sample(x=1, y=1)) == 4
          and s.sample(u=0.5, v=0.5) == tuple(float(c) for c in
                                               arr[16, 32]))
    png = s.saveByteArray('.png')
    check('saveByteArray png', bytes(png[:8]) == b'\x89PNG\r\n\x1a\n')
    check('saveByteArray tif', bytes(s.saveByteArray('.tif')[:4])
          == b'II*\x00')
    check('saveByteArray exr', bytes(s.saveByteArray('.exr')[:4])
          == b'\x76\x2f\x31\x01')
    check('saveByteArray jpg', bytes(s.saveByteArray('x.jpg')[:2])
          == b'\xff\xd8')
    raises('save bad type', ValueError, lambda: s.saveByteArray('.xyz'),
           '.xyz')
    import numpy
    ok, why = td._vt.cuda_ready()
    if not ok:  # no NVIDIA driver or GPU: both calls say why
        raises('cudaMemory', RuntimeError, lambda: s.cudaMemory(),
               'CUDA is not available: ' + why)
        raises('copyCUDAMemory', RuntimeError,
               lambda: op('gen').copyCUDAMemory(
                   1 << 20, 32, td.CUDAMemoryShape(2, 4, 1, numpy.float32)),
               'CUDA is not available: ' + why)
    raises('copyCUDAMemory size', ValueError,
           lambda: op('gen').copyCUDAMemory(
               1 << 20, 100, td.CUDAMemoryShape(8, 4, 4, numpy.uint8)),
           'size 100', '8x4 with 4 uint8 components is 128 bytes')
    raises('copyCUDAMemory dtype', TypeError,
           lambda: op('gen').copyCUDAMemory(
               1 << 20, 16, td.CUDAMemoryShape(2, 2, 1, numpy.int32)),
           'int32')
    sh = td.CUDAMemoryShape(4, 2, 3, numpy.uint16)
    check('CUDAMemoryShape', (sh.width, sh.height, sh.numComps,
                              sh.dataType) == (4, 2, 3, numpy.uint16))

    # Script TOP
    g = op('gen')
    check('script top', (g.width, g.height) == (8, 4)
          and g.pixelFormat == 'rgba32f')
    ga = g.numpyArray()
    check('row 0 is bottom', abs(ga[0, 3, 1] - 0.5) < 1e-6
          and ga[1, 3, 1] == 0 and abs(ga[0, 7, 0] - 1) < 1e-6)
    check('custom par', g.par.Gain == 0.5 and g.par.Gain.isCustom
          and [p.name for p in g.customPars] == ['Gain', 'Reset']
          and g.customPages[0].name == 'Custom')
    g.par.Reset.pulse()
    import numpy
    raises('copyNumpyArray dtype', TypeError,
           lambda: g.copyNumpyArray(numpy.zeros((2, 2, 4), numpy.int32)),
           'int32', 'uint8')
    raises('copyNumpyArray shape', ValueError,
           lambda: g.copyNumpyArray(numpy.zeros((2, 2, 5), numpy.uint8)),
           '(2, 2, 5)')
    raises('copyNumpyArray type', TypeError,
           lambda: g.copyNumpyArray([1, 2]), 'numpy.ndarray')
    g.copyNumpyArray(numpy.full((3, 5, 2), 40000, numpy.uint16))
    u = g.numpyArray()
    check('uint16 upload', u.shape == (3, 5, 4)
          and abs(u[0, 0, 0] - 40000 / 65535) < 1e-6)
    check('loadByteArray', g.loadByteArray('.png', png) and
          (g.width, g.height) == (64, 32)
          and abs(g.numpyArray()[5, 9, 0] - arr[5, 9, 0]) < 1 / 255 + 1e-6)
    check('destroyCustomPars', g.destroyCustomPars() == 2
          and g.customPars == [])

    # Script CHOP
    w = op('wave')
    check('script chop', w.numChans == 2 and w.numSamples == 4
          and w['ramp'].vals == [0, 1, 2, 3] and w['time'][0] == 1)


def onCreate():
    print('CREATE')


def onExit():
    print('EXIT', me.time.frame)


def onFrameEnd(frame):
    if frame == 3:
        # expressions, exports and parameter/chop callbacks over frames
        check('frame 3', me.time.frame == 3 and absTime.frame >= 3)
        lfo = op('lfo1')
        lfo[0].eval()  # reading a CHOP cooks it
        check('cook stats', lfo.totalCooks >= 1 and lfo.cookedThisFrame
              and lfo.cookFrame == 3 and not op('noise1').cookedThisFrame
              and op('noise1').cookFrame == 1 and lfo.cookTime >= 0)
        f = op('fader')
        f.par.value0 = 0.5
        op('level1').par.opacity = 0.5
    if frame == 4:
        op('fader').par.value0 = -1
    if frame == 5:
        op('wave').cook(force=True)
        check('script chop frames', op('wave')['time'][0] == 5)
        d = op('shown').numpyArray(delayed=True)  # queued at onStart
        check('delayed later', d is not None and d.shape == (32, 64, 4))
        print('DONE')
