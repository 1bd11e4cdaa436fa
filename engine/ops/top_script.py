# top_script.py: the Script TOP's Python class (top_script.c's op type
# names it; td runs this file in td's namespace).

class scriptTOP(TOP, _ScriptOp):
    """A Script TOP: onCook(scriptOp) fills it with copyNumpyArray() or
    loadByteArray(). Row 0 of an array is the bottom row of the image."""

    def copyNumpyArray(self, arr):
        import numpy
        if not isinstance(arr, numpy.ndarray):
            raise TypeError("%s: copyNumpyArray takes a numpy.ndarray, not "
                            "%s" % (self.path, type(arr).__name__))
        kinds = {numpy.dtype(numpy.uint8): 0, numpy.dtype(numpy.uint16): 1,
                 numpy.dtype(numpy.float32): 2}
        kind = kinds.get(arr.dtype)
        if kind is None:
            raise TypeError("%s: copyNumpyArray takes uint8, uint16 or "
                            "float32 data, not %s" % (self.path, arr.dtype))
        if arr.ndim == 2:
            arr = arr[:, :, None]
        if arr.ndim != 3 or not 1 <= arr.shape[2] <= 4 or 0 in arr.shape:
            raise ValueError("%s: copyNumpyArray takes shape (height, width, "
                             "components) with 1 to 4 components, not %s"
                             % (self.path, arr.shape))
        h, w, c = arr.shape
        _vt.top_upload(self._id, numpy.ascontiguousarray(arr), h, w, c,
                       kind)

    def loadByteArray(self, fileType, byteArray):
        import numpy
        w, h, data = _vt.image_decode(str(fileType), bytes(byteArray))
        a = numpy.frombuffer(data, dtype=numpy.uint8).reshape(h, w, 4)
        self.copyNumpyArray(numpy.ascontiguousarray(a[::-1]))
        return True

    def copyCUDAMemory(self, address, size=None, shape=None, stream=None):
        """Copies device memory into the image through CUDA-GL interop.
        address is a device pointer, or an object with
        __cuda_array_interface__ (CuPy, PyTorch, Numba, CUDAMemory), whose
        shape and dtype then describe it."""
        iface = getattr(address, '__cuda_array_interface__', None)
        if iface is not None:
            import numpy
            dims = tuple(iface['shape'])
            if len(dims) == 2:
                dims = dims + (1,)
            if len(dims) != 3:
                raise ValueError("%s: copyCUDAMemory takes arrays of shape "
                                 "(height, width[, components]), not %s"
                                 % (self.path, tuple(iface['shape'])))
            dt = numpy.dtype(iface['typestr'])
            if iface.get('strides') is not None:
                expect = (dims[1] * dims[2] * dt.itemsize,
                          dims[2] * dt.itemsize, dt.itemsize)
                if tuple(iface['strides'])[:3] != expect[:len(
                        iface['strides'])]:
                    raise ValueError("%s: copyCUDAMemory needs contiguous "
                                     "memory" % self.path)
            if shape is None:
                shape = CUDAMemoryShape(dims[1], dims[0], dims[2], dt)
            if size is None:
                size = dims[0] * dims[1] * dims[2] * dt.itemsize
            address = iface['data'][0]
            # The producer's stream (version 3): the copy waits there.
            if stream is None and isinstance(iface.get('stream'), int):
                stream = iface['stream']
        if not isinstance(shape, CUDAMemoryShape):
            raise TypeError("%s: shape must be a CUDAMemoryShape, not %s"
                            % (self.path, type(shape).__name__))
        name = shape.dataType.name
        if name not in _ELEMS:
            raise TypeError("%s: CUDAMemoryShape.dataType must be uint8, "
                            "uint16 or float32, not %s" % (self.path, name))
        if not 1 <= shape.numComps <= 4:
            raise ValueError("%s: numComps must be 1 to 4, not %d"
                             % (self.path, shape.numComps))
        want = shape.width * shape.height * shape.numComps * \
            shape.dataType.itemsize
        if size is None or int(size) != want:
            raise ValueError("%s: size %s does not match the shape: %dx%d "
                             "with %d %s components is %d bytes"
                             % (self.path, size, shape.width, shape.height,
                                shape.numComps, name, want))
        if not isinstance(address, int) or address <= 0:
            raise TypeError("%s: address must be a device pointer (an int) "
                            "or an object with __cuda_array_interface__"
                            % self.path)
        _cuda_check(self)
        _vt.cuda_to_top(self._id, address, shape.width, shape.height,
                        shape.numComps, _ELEMS[name],
                        _stream_handle(stream))

    def _cook_begin(self):
        import numpy  # noqa: F401: its first import outside the budget
