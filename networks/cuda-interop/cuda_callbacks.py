# A Script TOP fed from CUDA device memory. A colour field taller than the
# picture is put on the GPU once; each frame copies the window of rows that
# frame shows into the texture (copyCUDAMemory), with no trip through host
# memory. The device memory is managed with ctypes and the CUDA driver API,
# so this runs in any interpreter; with CuPy or PyTorch, pass their arrays
# to copyCUDAMemory() directly.
import ctypes

import numpy

W, H = 640, 360
PERIOD = 240  # rows: the field repeats, so the scroll loops seamlessly
STEP = 2      # rows per frame


def field():
    """H + PERIOD rows of a colour field, float32 RGBA, repeating every
    PERIOD rows: the picture of frame i is rows (i * STEP) % PERIOD on."""
    y, x = numpy.mgrid[0:H + PERIOD, 0:W].astype(numpy.float32)
    t = 2 * numpy.pi * y / PERIOD
    out = numpy.empty((H + PERIOD, W, 4), numpy.float32)
    out[..., 0] = 0.5 + 0.5 * numpy.sin(x / 53 + t)
    out[..., 1] = 0.5 + 0.5 * numpy.sin(x / 37 - 2 * t)
    out[..., 2] = 0.5 + 0.5 * numpy.sin((x + 3 * y) / 71)
    out[..., 3] = 1
    return out


def setup(scriptOp):
    st = scriptOp.storage
    data = field()
    ok, why = td._vt.cuda_ready()
    if ok:
        cu = ctypes.CDLL('libcuda.so.1')
        dev, ctx, ptr = ctypes.c_int(), ctypes.c_void_p(), ctypes.c_uint64()
        cu.cuDeviceGet(ctypes.byref(dev), 0)
        cu.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev)
        cu.cuCtxSetCurrent(ctx)
        cu.cuMemAlloc_v2(ctypes.byref(ptr), ctypes.c_size_t(data.nbytes))
        cu.cuMemcpyHtoD_v2(ptr, data.ctypes.data_as(ctypes.c_void_p),
                           ctypes.c_size_t(data.nbytes))
        st['ptr'] = ptr.value
        print('CUDA: the field is on the GPU (%.1f MB); each frame copies '
              'its rows to the texture' % (data.nbytes / 1e6))
    else:
        st['field'] = data
        note = 'no CUDA (%s): showing NumPy frames instead' % why
        print(note)
        scriptOp.addWarning(note)
    st['ready'] = True


def onCook(scriptOp):
    st = scriptOp.storage
    if not st.get('ready'):
        setup(scriptOp)
    row = ((me.time.frame - 1) * STEP) % PERIOD
    if 'ptr' in st:
        n = W * H * 16
        scriptOp.copyCUDAMemory(st['ptr'] + row * W * 16, n,
                                td.CUDAMemoryShape(W, H, 4, numpy.float32))
    else:
        img = st['field'][row:row + H].copy()
        img[:12, :, :3] = (1, 0, 0)  # the visible note: a red bar
        scriptOp.copyNumpyArray(img)
