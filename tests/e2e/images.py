"""Reading the images vitrine writes (PNG) and X screenshots (XWD), with
the standard library only."""
import struct
import zlib


def read_png(path):
    """Returns (width, height, rows): rows of (r, g, b, a) tuples, top first
    (grey images too, as r = g = b)."""
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (0, 2, 4, 6), (depth, ctype)
            bpp = {0: 1, 2: 3, 4: 2, 6: 4}[ctype]
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[i] = (line[i] + pred) & 255
        if bpp == 1:  # grey
            rows.append([(v, v, v, 255) for v in line])
        elif bpp == 2:  # grey and alpha
            rows.append([(line[2 * x],) * 3 + (line[2 * x + 1],)
                         for x in range(w)])
        elif bpp == 3:
            rows.append([tuple(line[x * 3:x * 3 + 3]) + (255,)
                         for x in range(w)])
        else:
            rows.append([tuple(line[x * 4:x * 4 + 4]) for x in range(w)])
        prev = line
    return w, h, rows


def read_xwd(path):
    """A 24/32-bit ZPixmap XWD (what `xwd -root` writes on Xvfb): returns
    (width, height, rows of (r, g, b, 255)), top first."""
    data = open(path, "rb").read()
    hdr = struct.unpack(">25I", data[:100])
    header_size, version, fmt, depth, w, h = hdr[:6]
    byte_order, bpp, bpl = hdr[7], hdr[11], hdr[12]
    rmask, gmask, bmask, ncolors = hdr[14], hdr[15], hdr[16], hdr[19]
    assert version == 7 and fmt == 2 and bpp == 32, (version, fmt, bpp)
    pos = header_size + ncolors * 12
    endian = "<" if byte_order == 0 else ">"

    def shift(mask):
        return (mask & -mask).bit_length() - 1

    rs, gs, bs = shift(rmask), shift(gmask), shift(bmask)
    rows = []
    for y in range(h):
        line = data[pos + y * bpl:pos + y * bpl + w * 4]
        px = struct.unpack(endian + "%dI" % w, line)
        rows.append([((p & rmask) >> rs, (p & gmask) >> gs,
                      (p & bmask) >> bs, 255) for p in px])
    return w, h, rows
