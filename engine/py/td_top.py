# TOPs: the TOP class.

class TOP(OP):
    """A TOP: an image on the GPU."""

    def _ti(self):
        i = _vt.top_info(self._id)
        if i is None:
            return (0, 0, 0, 1.0, '', 0, 0)
        return i

    width = property(lambda self: self._ti()[0])
    height = property(lambda self: self._ti()[1])
    depth = property(lambda self: self._ti()[2])
    aspect = property(lambda self: self._ti()[3])
    aspectWidth = property(lambda self: self._ti()[3])
    aspectHeight = property(lambda self: 1.0)
    pixelFormat = property(lambda self: self._ti()[4])
    gpuMemory = property(lambda self: self._ti()[5])
    newestSliceWOffset = property(lambda self: self._ti()[6])
    curPass = property(lambda self: 0)

    def numpyArray(self, delayed=False, writable=False):
        import numpy
        if delayed:
            # The image as it was at the previous call (its copy ran on
            # the GPU meanwhile); None the first time.
            prev = _vt.top_read_delayed(self._id)
            if prev is None:
                return None
            w, h, data = prev
        else:
            w, h, data = _vt.top_read(self._id)
        a = numpy.frombuffer(data, dtype=numpy.float32).reshape(h, w, 4)
        return a.copy() if writable else a

    def sample(self, x=None, y=None, z=None, u=None, v=None, w=None):
        a = self.numpyArray()
        h, wd = a.shape[0], a.shape[1]
        if x is None and u is None or y is None and v is None:
            raise ValueError("sample() needs a horizontal (x or u) and a "
                             "vertical (y or v) coordinate")
        px = int(x) if x is not None else int(u * wd)
        py = int(y) if y is not None else int(v * h)
        px, py = min(max(px, 0), wd - 1), min(max(py, 0), h - 1)
        return tuple(float(c) for c in a[py, px])

    def saveByteArray(self, filetype='.tiff', quality=1.0, metadata=()):
        return bytearray(_vt.top_encode(self._id, filetype, float(quality)))

    def save(self, filepath=None, asynchronous=False, createFolders=False,
             quality=1.0, metadata=()):
        import os
        if not filepath:
            filepath = '%s.%d.tif' % (self.name, self.time.frame)
        data = _vt.top_encode(self._id, filepath, float(quality))
        if createFolders:
            os.makedirs(os.path.dirname(os.path.abspath(filepath)),
                        exist_ok=True)
        tmp = filepath + '.part'
        with open(tmp, 'wb') as f:
            f.write(data)
        os.replace(tmp, filepath)
        return filepath

    def cudaMemory(self, stream=None):
        """The image copied into new device memory, on the GPU (CUDA-GL
        interop), ordered on `stream` or on vitrine's own stream."""
        _cuda_check(self)
        ptr, size, w, h, comps, elem, used = _vt.cuda_from_top(
            self._id, _stream_handle(stream))
        return CUDAMemory(ptr, size, CUDAMemoryShape(w, h, comps,
                                                     _ELEM_TYPES[elem]),
                          used)
