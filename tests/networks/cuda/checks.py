# CUDA-GL interop checks: round trips through cudaMemory() and
# copyCUDAMemory(), stream ordering, errors, then FRAMES frames of copies
# at alternating sizes (registrations stay bounded). The figures are
# tests/bench/bench_cuda.c's, in make bench. Device
# memory is made and read through the driver API with ctypes, so no CuPy
# or PyTorch is needed in vitrine's interpreter.
#
# On a GPU this runs against NVIDIA's driver; in CI against the stand-in of
# tests/fakecuda, which also counts broken driver rules and uses of the
# default stream: the checks marked "(fake)" need those counts.
import ctypes

import numpy

C = ctypes.c_uint64
FRAMES = 10000
state = {}


def check(name, cond, detail=''):
    print(('PASS ' if cond else 'FAIL ') + name +
          ('' if cond else ': ' + str(detail)))


class Device:
    def __init__(self):
        self.cu = cu = ctypes.CDLL('libcuda.so.1')
        dev, ctx = ctypes.c_int(), ctypes.c_void_p()
        cu.cuDeviceGet(ctypes.byref(dev), 0)
        cu.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev)
        cu.cuCtxSetCurrent(ctx)
        self.fake = hasattr(cu, 'fakecuda_stat')
        if self.fake:
            cu.fakecuda_stat.restype = ctypes.c_long
            cu.fakecuda_stat.argtypes = [ctypes.c_char_p]

    def stat(self, name):
        return self.cu.fakecuda_stat(name.encode())

    def alloc(self, n):
        p = C()
        assert self.cu.cuMemAlloc_v2(ctypes.byref(p), ctypes.c_size_t(n)) == 0
        return p.value

    def free(self, p):
        self.cu.cuMemFree_v2(C(p))

    def upload(self, p, a):
        a = numpy.ascontiguousarray(a)
        assert self.cu.cuMemcpyHtoD_v2(C(p), a.ctypes.data_as(
            ctypes.c_void_p), ctypes.c_size_t(a.nbytes)) == 0

    def upload_async(self, p, a, stream=0):
        """Host to device on a stream (the default one), not waited for,
        as a script's kernel would fill memory."""
        a = numpy.ascontiguousarray(a)
        assert self.cu.cuMemcpyHtoDAsync_v2(
            C(p), a.ctypes.data_as(ctypes.c_void_p),
            ctypes.c_size_t(a.nbytes), ctypes.c_void_p(stream)) == 0

    def download(self, p, shape, dtype, sync=True):
        """Device memory to the host on the legacy default stream; with
        sync=False nothing is waited for first, as a script would do."""
        a = numpy.empty(shape, dtype)
        if sync:
            self.cu.cuCtxSynchronize()
        assert self.cu.cuMemcpyDtoH_v2(a.ctypes.data_as(ctypes.c_void_p),
                                       C(p), ctypes.c_size_t(a.nbytes)) == 0
        return a

    def stream(self, flags=1):
        s = ctypes.c_void_p()
        assert self.cu.cuStreamCreate(ctypes.byref(s), flags) == 0
        return s.value

    def sync(self, s):
        self.cu.cuStreamSynchronize(ctypes.c_void_p(s))

def pattern(h, w, c, dt):
    rng = numpy.random.default_rng(h * 31 + w + c)
    if dt == numpy.float32:
        return rng.random((h, w, c), dtype=numpy.float32)
    top = 255 if dt == numpy.uint8 else 65535
    return rng.integers(0, top + 1, (h, w, c)).astype(dt)


def as_rgba(a):
    """What the TOP holds for array a, as floats RGBA (missing channels
    0, alpha 1; uint8 4 components arrive as BGRA)."""
    h, w, c = a.shape
    scale = {numpy.uint8: 255.0, numpy.uint16: 65535.0}.get(a.dtype.type, 1)
    f = a.astype(numpy.float64) / scale
    out = numpy.zeros((h, w, 4))
    out[..., 3] = 1
    if a.dtype == numpy.uint8 and c == 4:
        f = f[..., [2, 1, 0, 3]]
    out[..., :c] = f
    if c == 1:
        out[..., 1] = out[..., 2] = out[..., 0]  # mono reads as grey
    return out


def host_copy(d, m, sync=True):
    """CUDAMemory m back on the host, as floats in the TOP's order."""
    s = m.shape
    host = d.download(m.ptr, (s.height, s.width, s.numComps), s.dataType,
                      sync)
    if s.dataType == numpy.uint8:
        back = host.astype(numpy.float64) / 255
        if s.numComps == 4:
            back = back[..., [2, 1, 0, 3]]
        return back, host, 0.5 / 255
    return host.astype(numpy.float64), host, 1e-6


def round_trips(d, src, dst):
    h, w = 24, 40
    for dt in (numpy.uint8, numpy.uint16, numpy.float32):
        for c in (1, 2, 3, 4):
            name = '%s x%d' % (numpy.dtype(dt).name, c)
            a = pattern(h, w, c, dt)
            # device pattern -> copyCUDAMemory -> numpyArray
            p = d.alloc(a.nbytes)
            d.upload(p, a)
            dst.copyCUDAMemory(p, a.nbytes, td.CUDAMemoryShape(w, h, c, dt))
            got = dst.numpyArray()
            tol = 1e-6 if dt != numpy.uint8 else 0.5 / 255
            err = numpy.abs(got - as_rgba(a)).max()
            check('copyCUDAMemory ' + name, got.shape == (h, w, 4)
                  and err <= tol, err)
            d.free(p)
            # copyNumpyArray -> cudaMemory -> host
            src.copyNumpyArray(a)
            m = src.cudaMemory()
            back, host, tol = host_copy(d, m)
            want = src.numpyArray()  # the texture, as floats RGBA
            if m.shape.numComps == 1:
                want = want[..., :1]
            err = numpy.abs(back - want).max()
            check('cudaMemory ' + name, m.size == host.nbytes and err <= tol,
                  (m.shape, err))


class Borrowed:
    """Someone else's device array, as CuPy or PyTorch would show it."""

    def __init__(self, ptr, shape, typestr, stream=None):
        self.__cuda_array_interface__ = {
            'shape': shape, 'typestr': typestr, 'data': (ptr, False),
            'version': 3, 'strides': None, 'stream': stream}


class TorchLikeStream:
    def __init__(self, handle):
        self.cuda_stream = handle


def streams(d, src, dst):
    a = pattern(24, 40, 4, numpy.float32)
    src.copyNumpyArray(a)
    want = src.numpyArray()
    # A script's work on the default stream, not waited for, then a copy
    # given no stream: vitrine's stream waits for it.
    p = d.alloc(a.nbytes)
    d.upload_async(p, a[::-1].copy())
    dst.copyCUDAMemory(p, a.nbytes, td.CUDAMemoryShape(40, 24, 4,
                                                       numpy.float32))
    check('copyCUDAMemory() waits for earlier work on the default stream',
          numpy.abs(dst.numpyArray() - a[::-1]).max() < 1e-6)
    d.free(p)
    base = d.stat('default_stream_ops') if d.fake else 0
    # No stream: vitrine's own, which the legacy default stream (where a
    # script's next copy or kernel runs) waits for.
    m = src.cudaMemory()
    back, _, tol = host_copy(d, m, sync=False)
    check('cudaMemory() is done before later work on the default stream',
          numpy.abs(back - want).max() <= tol)
    itf = m.__cuda_array_interface__
    check('CUDAMemory exports its stream', isinstance(itf['stream'], int)
          and itf['stream'] not in (0, None), itf)
    dst.copyCUDAMemory(m)
    check('copyCUDAMemory(CUDAMemory)',
          numpy.abs(dst.numpyArray() - want).max() < 1e-6)
    if d.fake:
        check('no stream given: the default stream is not used (fake)',
              d.stat('default_stream_ops') == base,
              d.stat('default_stream_ops') - base)
    # A stream of the script's own, as an int and as a PyTorch-like object
    s = d.stream()
    m = src.cudaMemory(stream=s)
    check('cudaMemory(stream) orders the copy on that stream',
          m.__cuda_array_interface__['stream'] == s)
    d.sync(s)
    back, _, tol = host_copy(d, m, sync=False)
    check('cudaMemory(stream)', numpy.abs(back - want).max() <= tol)
    p = d.alloc(a.nbytes)
    d.upload(p, a[::-1].copy())
    dst.copyCUDAMemory(p, a.nbytes, td.CUDAMemoryShape(40, 24, 4,
                                                       numpy.float32),
                       stream=TorchLikeStream(s))
    check('copyCUDAMemory(stream=<PyTorch stream>)',
          numpy.abs(dst.numpyArray() - a[::-1]).max() < 1e-6)
    dst.copyCUDAMemory(Borrowed(p, (24, 40, 4), '<f4', stream=s))
    check('__cuda_array_interface__ with a stream',
          numpy.abs(dst.numpyArray() - a[::-1]).max() < 1e-6)
    if d.fake:
        check('streams given: the default stream is not used (fake)',
              d.stat('default_stream_ops') == base)
    # The default stream only when asked for: 0
    m = src.cudaMemory(stream=0)
    back, _, tol = host_copy(d, m, sync=False)
    check('cudaMemory(stream=0)', numpy.abs(back - want).max() <= tol
          and m.__cuda_array_interface__['stream'] == 1)
    if d.fake:
        check('stream=0 uses the default stream (fake)',
              d.stat('default_stream_ops') > base)
    try:
        src.cudaMemory(stream='fast')
        check('a stream that is not one is a TypeError', False)
    except TypeError:
        check('a stream that is not one is a TypeError', True)
    d.free(p)


def lifetime(d, src):
    """A CUDAMemory's device memory lives as long as the object."""
    if not d.fake:
        return
    before = d.stat('allocations')
    m = src.cudaMemory()
    held = d.stat('allocations') == before + 1
    del m
    check('CUDAMemory frees its memory when collected (fake)',
          held and d.stat('allocations') == before,
          (before, d.stat('allocations')))


def errors(d, src, dst):
    a = pattern(8, 8, 4, numpy.float32)
    p = d.alloc(a.nbytes)
    d.upload(p, a)
    shape = td.CUDAMemoryShape(8, 8, 4, numpy.float32)
    try:
        dst.copyCUDAMemory(p, a.nbytes - 4, shape)
        check('size and shape disagree: ValueError', False)
    except ValueError as e:
        check('size and shape disagree: ValueError',
              'is 1024 bytes' in str(e), e)
    if d.fake:
        # Addresses that are not (all) device memory, a stream handle that
        # is none: a RuntimeError from the driver, and nothing stays mapped.
        big = td.CUDAMemoryShape(16, 16, 4, numpy.float32)
        for name, call in (
                ('not device memory', lambda: dst.copyCUDAMemory(
                    0x1000, a.nbytes, shape)),
                ('past the allocation', lambda: dst.copyCUDAMemory(
                    p, 4 * a.nbytes, big)),
                ('no such stream', lambda: dst.copyCUDAMemory(
                    p, a.nbytes, shape, stream=0x5eed)),
                ('cudaMemory, no such stream', lambda: src.cudaMemory(
                    stream=0x5eed))):
            try:
                call()
                check(name + ': RuntimeError (fake)', False)
            except RuntimeError as e:
                check(name + ': RuntimeError (fake)',
                      ('copy failed' in str(e) or 'cannot map' in str(e))
                      and d.stat('mapped') == 0, (e, d.stat('mapped')))
    dst.copyCUDAMemory(p, a.nbytes, shape)
    check('a good copy after the errors',
          numpy.abs(dst.numpyArray() - a).max() < 1e-6)
    d.free(p)


def onStart():
    ok, why = td._vt.cuda_ready()
    if not ok:
        print('SKIP ' + why)
        return
    d = Device()
    src, dst = op('src'), op('dst')
    round_trips(d, src, dst)
    streams(d, src, dst)
    lifetime(d, src)
    errors(d, src, dst)
    # FRAMES frames of copies at alternating sizes: each resizes dst
    a = pattern(16, 16, 4, numpy.float32)
    b = pattern(32, 8, 4, numpy.float32)
    pa, pb = d.alloc(a.nbytes), d.alloc(b.nbytes)
    d.upload(pa, a)
    d.upload(pb, b)
    state.update(d=d, a=a, b=b, pa=pa, pb=pb, i=0, most=0,
                 base=td._vt.cuda_registrations())


def onFrameStart(frame):
    if 'd' not in state or state['i'] >= FRAMES:
        return
    d, dst = state['d'], op('dst')
    i = state['i']
    x, px = (state['a'], state['pa']) if i % 2 else (state['b'],
                                                     state['pb'])
    dst.copyCUDAMemory(px, x.nbytes, td.CUDAMemoryShape(
        x.shape[1], x.shape[0], 4, numpy.float32))
    mem = dst.cudaMemory()
    del mem
    state['most'] = max(state['most'], td._vt.cuda_registrations())
    state['i'] = i = i + 1
    if i < FRAMES:
        return
    check('resize over %d frames' % FRAMES, (dst.width, dst.height) ==
          (16, 16) and numpy.abs(dst.numpyArray() - state['a']).max() < 1e-6)
    check('registrations bounded over %d frames' % FRAMES,
          state['most'] <= state['base'] + 4, (state['base'], state['most']))
    d.free(state['pa'])
    d.free(state['pb'])
    if d.fake:
        td._vt.cuda_sync()
        check('driver rules kept (fake)', d.stat('violations') == 0,
              d.stat('violations'))
        check('no registration outlives its texture (fake)',
              d.stat('stale') == 0, d.stat('stale'))
        check('nothing left mapped or queued (fake)', d.stat('mapped') == 0
              and d.stat('queued') == 0, (d.stat('mapped'),
                                          d.stat('queued')))
        check('registrations: the textures in use and the staging buffer '
              '(fake)', d.stat('registrations') ==
              td._vt.cuda_registrations() + 1,
              (d.stat('registrations'), td._vt.cuda_registrations()))
    print('DONE')

