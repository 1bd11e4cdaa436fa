# copyCUDAMemory() and cudaMemory() with CuPy's and PyTorch's own arrays
# and streams, as TouchDesigner scripts use them: arrays passed as the
# address (their __cuda_array_interface__), wrapped back with
# cupy.asarray / torch.as_tensor, and copies ordered on a stream whose
# kernel is still running when the copy is asked for.
import numpy

W, H = 96, 48
SPIN = r'''
extern "C" __global__ void spin(long long cycles) {
    long long t = clock64();
    while (clock64() - t < cycles) {}
}
'''


def check(name, cond, detail=''):
    print(('PASS ' if cond else 'FAIL ') + name +
          ('' if cond else ': ' + str(detail)))


def pattern(dt):
    rng = numpy.random.default_rng(7)
    if dt == numpy.float32:
        return rng.random((H, W, 4), dtype=numpy.float32)
    return rng.integers(0, 256, (H, W, 4)).astype(numpy.uint8)


def with_cupy(cp, src):
    for dt in (numpy.uint8, numpy.float32):
        name = numpy.dtype(dt).name
        a = cp.asarray(pattern(dt))
        src.copyCUDAMemory(a, a.nbytes, td.CUDAMemoryShape(W, H, 4, dt))
        back = cp.asarray(src.cudaMemory())
        check('cupy %s: copyCUDAMemory then cudaMemory' % name,
              back.shape == a.shape and back.dtype == a.dtype and
              bool((back == a).all()))
    # a kernel on a stream of CuPy's own, still running, then the fill:
    # the copy ordered on that stream sees the fill, not the zeros
    spin = cp.RawKernel(SPIN, 'spin')
    for how in ('stream=', 'the array\'s own stream'):
        s = cp.cuda.Stream(non_blocking=True)
        a = cp.zeros((H, W, 4), cp.float32)
        with s:
            if how != 'stream=' and 'stream' not in \
                    a.__cuda_array_interface__:
                print('SKIP cupy: this CuPy names no stream in its '
                      '__cuda_array_interface__')
                continue
            spin((1,), (1,), (numpy.int64(300000000),))
            a.fill(0.25)
            shape = td.CUDAMemoryShape(W, H, 4, numpy.float32)
            if how == 'stream=':
                src.copyCUDAMemory(a.data.ptr, a.nbytes, shape, stream=s)
            else:
                src.copyCUDAMemory(a, a.nbytes, shape)
        got = src.numpyArray()
        check('cupy: a copy ordered by %s waits for its kernel' % how,
              abs(float(got.min()) - 0.25) < 1e-6 and
              abs(float(got.max()) - 0.25) < 1e-6, (got.min(), got.max()))
    s = cp.cuda.Stream(non_blocking=True)
    m = src.cudaMemory(stream=s)
    with s:
        total = float(cp.asarray(m).sum())
    check('cupy: cudaMemory(stream=) read on that stream',
          abs(total - 0.25 * W * H * 4) < 1e-2, total)


def with_torch(torch, src):
    for dt, tdt in ((numpy.uint8, torch.uint8),
                    (numpy.float32, torch.float32)):
        t = torch.as_tensor(pattern(dt), device='cuda')
        src.copyCUDAMemory(t, t.numel() * t.element_size(),
                           td.CUDAMemoryShape(W, H, 4, dt))
        back = torch.as_tensor(src.cudaMemory(), device='cuda')
        check('torch %s: copyCUDAMemory then cudaMemory' % tdt,
              tuple(back.shape) == tuple(t.shape) and back.dtype == tdt and
              bool(torch.equal(back, t)))
    s = torch.cuda.Stream()
    with torch.cuda.stream(s):
        a = torch.full((H, W, 4), 0.5, device='cuda')
        torch.cuda._sleep(300000000)
        a.mul_(2)
        src.copyCUDAMemory(a.data_ptr(), a.numel() * 4,
                           td.CUDAMemoryShape(W, H, 4, numpy.float32),
                           stream=s)
    got = src.numpyArray()
    check('torch: a copy ordered by stream= waits for its kernel',
          float(got.min()) == 1.0 and float(got.max()) == 1.0,
          (got.min(), got.max()))


def onStart():
    ok, why = td._vt.cuda_ready()
    if not ok:
        print('SKIP ' + why)
        return
    src = op('src')
    tried = 0
    for name, fn in (('cupy', with_cupy), ('torch', with_torch)):
        try:
            lib = __import__(name)
        except ImportError as e:
            print('SKIP %s: %s' % (name, e))
            continue
        tried += 1
        fn(lib, src)
    print('DONE %d' % tried)
