# CUDA-GL interop on a machine with an NVIDIA GPU: round trips through
# cudaMemory() and copyCUDAMemory(), registration count, figures. Device
# memory is made and read through the driver API with ctypes, so no CuPy
# or PyTorch is needed in vitrine's interpreter.
import ctypes
import time

import numpy

C = ctypes.c_uint64


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

    def download(self, p, shape, dtype):
        a = numpy.empty(shape, dtype)
        self.cu.cuCtxSynchronize()
        assert self.cu.cuMemcpyDtoH_v2(a.ctypes.data_as(ctypes.c_void_p),
                                       C(p), ctypes.c_size_t(a.nbytes)) == 0
        return a

    def d2d_ms(self, dst, src, n, reps=20):
        self.cu.cuCtxSynchronize()
        t0 = time.perf_counter()
        for _ in range(reps):
            self.cu.cuMemcpyDtoD_v2(C(dst), C(src), ctypes.c_size_t(n))
        self.cu.cuCtxSynchronize()
        return (time.perf_counter() - t0) * 1000 / reps


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


def onStart():
    ok, why = td._vt.cuda_ready()
    if not ok:
        print('SKIP ' + why)
        return
    d = Device()
    src, dst = op('src'), op('dst')
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
            s = m.shape
            host = d.download(m.ptr, (s.height, s.width, s.numComps),
                              s.dataType)
            want = src.numpyArray()  # the texture, as floats RGBA
            if s.numComps == 1:
                want = want[..., :1]
            if s.dataType == numpy.uint8:
                back = host.astype(numpy.float64) / 255
                if s.numComps == 4:
                    back = back[..., [2, 1, 0, 3]]
                tol = 0.5 / 255
            else:
                back = host.astype(numpy.float64)
                tol = 1e-6
            err = numpy.abs(back - want).max()
            check('cudaMemory ' + name, m.size == host.nbytes and err <= tol,
                  (s, err))
    # __cuda_array_interface__ in place of the address
    m = src.cudaMemory()
    dst.copyCUDAMemory(m)
    check('array interface', numpy.abs(dst.numpyArray()
                                       - src.numpyArray()).max() < 1e-6)
    # resize between calls, and a bounded number of registrations
    base = td._vt.cuda_registrations()
    a = pattern(16, 16, 4, numpy.float32)
    b = pattern(32, 8, 4, numpy.float32)
    pa, pb = d.alloc(a.nbytes), d.alloc(b.nbytes)
    d.upload(pa, a)
    d.upload(pb, b)
    most = 0
    for i in range(10000):
        x, px = (a, pa) if i % 2 else (b, pb)
        dst.copyCUDAMemory(px, x.nbytes,
                           td.CUDAMemoryShape(x.shape[1], x.shape[0], 4,
                                              numpy.float32))
        mem = dst.cudaMemory()
        del mem
        most = max(most, td._vt.cuda_registrations())
    check('resize', (dst.width, dst.height) == (16, 16)
          and numpy.abs(dst.numpyArray() - a).max() < 1e-6)
    check('registrations bounded', most <= base + 4, (base, most))
    d.free(pa)
    d.free(pb)
    bench(d, src, dst)


def bench(d, src, dst, reps=20):
    for dt, label in ((numpy.uint8, 'RGBA8'), (numpy.float32, 'RGBA32F')):
        a = pattern(1080, 1920, 4, dt)
        n = a.nbytes
        p, q = d.alloc(n), d.alloc(n)
        d.upload(p, a)
        shape = td.CUDAMemoryShape(1920, 1080, 4, dt)
        dst.copyCUDAMemory(p, n, shape)
        td._vt.cuda_sync()
        t0 = time.perf_counter()
        for _ in range(reps):
            dst.copyCUDAMemory(p, n, shape)
        td._vt.cuda_sync()
        to_tex = (time.perf_counter() - t0) * 1000 / reps
        m = dst.cudaMemory()
        td._vt.cuda_sync()
        t0 = time.perf_counter()
        for _ in range(reps):
            m = dst.cudaMemory()
        td._vt.cuda_sync()
        from_tex = (time.perf_counter() - t0) * 1000 / reps
        del m
        raw = d.d2d_ms(q, p, n)
        t0 = time.perf_counter()
        for _ in range(5):
            x = dst.numpyArray()
            src.copyNumpyArray(x)
        td._vt.cuda_sync()
        numpy_ms = (time.perf_counter() - t0) * 1000 / 5
        gb = n / 1e9
        print('BENCH %s 1920x1080: copyCUDAMemory %.3f ms (%.1f GB/s, %.0f%% '
              'of cuMemcpyDtoD), cudaMemory %.3f ms (%.1f GB/s, %.0f%%); '
              'cuMemcpyDtoD %.3f ms (%.1f GB/s; target 70%%); through NumPy '
              '(numpyArray + copyNumpyArray) %.2f ms' % (
                  label, to_tex, gb / to_tex * 1000, raw / to_tex * 100,
                  from_tex, gb / from_tex * 1000, raw / from_tex * 100,
                  raw, gb / raw * 1000, numpy_ms))
        d.free(p)
        d.free(q)
    print('DONE')
