# A Script TOP fed from CUDA device memory. The device memory is managed
# with ctypes and the CUDA driver API, so this runs in any interpreter; with
# CuPy or PyTorch, pass their arrays to copyCUDAMemory() directly.
import ctypes

import numpy

FRAMES = 60
W, H = 640, 360


def frames():
    """FRAMES frames of a drifting colour field, float32 RGBA."""
    y, x = numpy.mgrid[0:H, 0:W].astype(numpy.float32)
    out = numpy.empty((FRAMES, H, W, 4), numpy.float32)
    for i in range(FRAMES):
        t = 2 * numpy.pi * i / FRAMES
        out[i, ..., 0] = 0.5 + 0.5 * numpy.sin(x / 53 + t)
        out[i, ..., 1] = 0.5 + 0.5 * numpy.sin(y / 37 - t)
        out[i, ..., 2] = 0.5 + 0.5 * numpy.sin((x + y) / 71 + 2 * t)
        out[i, ..., 3] = 1
    return out


def setup(scriptOp):
    st = scriptOp.storage
    ok, why = td._vt.cuda_ready()
    if ok:
        cu = ctypes.CDLL('libcuda.so.1')
        dev, ctx, ptr = ctypes.c_int(), ctypes.c_void_p(), ctypes.c_uint64()
        cu.cuDeviceGet(ctypes.byref(dev), 0)
        cu.cuDevicePrimaryCtxRetain(ctypes.byref(ctx), dev)
        cu.cuCtxSetCurrent(ctx)
        data = frames()
        cu.cuMemAlloc_v2(ctypes.byref(ptr), ctypes.c_size_t(data.nbytes))
        cu.cuMemcpyHtoD_v2(ptr, data.ctypes.data_as(ctypes.c_void_p),
                           ctypes.c_size_t(data.nbytes))
        st['ptr'] = ptr.value
        st['frame_bytes'] = data[0].nbytes
        print('CUDA: %d frames on the GPU, copied to the texture each frame'
              % FRAMES)
    else:
        st['frames'] = frames()
        note = 'no CUDA (%s): showing NumPy frames instead' % why
        print(note)
        scriptOp.addWarning(note)
    st['ready'] = True


def onCook(scriptOp):
    st = scriptOp.storage
    if not st.get('ready'):
        setup(scriptOp)
    i = (me.time.frame - 1) % FRAMES
    if 'ptr' in st:
        n = st['frame_bytes']
        scriptOp.copyCUDAMemory(st['ptr'] + i * n, n,
                                td.CUDAMemoryShape(W, H, 4, numpy.float32))
    else:
        img = st['frames'][i].copy()
        img[:12, :, :3] = (1, 0, 0)  # the visible note: a red bar
        scriptOp.copyNumpyArray(img)
