# CUDA memory for Script TOPs: CUDAMemory and CUDAMemoryShape.

class CUDAMemoryShape:
    """Describes CUDA memory as an image: width, height, numComps and
    dataType (numpy.uint8, uint16 or float32). For uint8 with 4 components
    the channel order is BGRA, as TouchDesigner has it; RGBA otherwise."""

    def __init__(self, width=0, height=0, numComps=4, dataType=None):
        import numpy
        self.width, self.height, self.numComps = width, height, numComps
        self.dataType = numpy.dtype(dataType if dataType is not None
                                    else numpy.uint8)
        self.depth = 1
        self.isCube = self.is3D = False

    @property
    def dataType(self):
        return self._dtype

    @dataType.setter
    def dataType(self, v):
        import numpy
        self._dtype = numpy.dtype(v)

    def __repr__(self):
        return "CUDAMemoryShape(width=%d, height=%d, numComps=%d, " \
            "dataType=%s)" % (self.width, self.height, self.numComps,
                              self._dtype.name)


_ELEMS = {'uint8': 0, 'uint16': 1, 'float32': 2}
_ELEM_TYPES = ('uint8', 'uint16', 'float32')


class CUDAMemory:
    """Device memory holding a TOP's image (from TOP.cudaMemory()); freed
    when this object is collected. Exposes __cuda_array_interface__ (with
    the stream it was filled on), so CuPy, PyTorch and Numba take it as an
    array."""

    def __init__(self, ptr, size, shape, stream=None):
        self._ptr, self._size, self._shape = ptr, size, shape
        self._stream = stream

    ptr = property(lambda self: self._ptr)
    size = property(lambda self: self._size)
    shape = property(lambda self: self._shape)

    @property
    def __cuda_array_interface__(self):
        s = self._shape
        # Version 3's stream: where a consumer waits; 0 is not allowed, the
        # legacy default stream is 1.
        stream = self._stream
        if stream == 0:
            stream = 1
        return {'shape': (s.height, s.width, s.numComps),
                'typestr': s.dataType.str, 'data': (self._ptr, False),
                'version': 3, 'strides': None, 'stream': stream}

    def __del__(self):
        if self._ptr:
            _vt.cuda_free(self._ptr)
            self._ptr = 0

    def __repr__(self):
        return "CUDAMemory(ptr=0x%x, size=%d, %r)" % (self._ptr, self._size,
                                                      self._shape)


def _stream_handle(stream):
    """A CUDA stream as a handle: an int (0 is the legacy default stream),
    or CuPy's (.ptr) and PyTorch's (.cuda_stream) stream objects; None is
    vitrine's own stream."""
    if stream is None:
        return None
    for attr in ('cuda_stream', 'ptr', 'handle'):
        v = getattr(stream, attr, None)
        if isinstance(v, int):
            return v
    if isinstance(stream, int):
        return stream
    raise TypeError("stream must be a CUDA stream handle (an int) or a "
                    "CuPy or PyTorch stream, not %s" % type(stream).__name__)


def _cuda_check(o):
    ok, why = _vt.cuda_ready()
    if not ok:
        raise RuntimeError("CUDA is not available: %s" % why)
