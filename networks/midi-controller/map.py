# From the controller's channels to parameter values; the parameters'
# expressions call these (mod.map.fader(1, 40, 500)).

PAD_COLOURS = ((1, 0, 0), (1, 0.5, 0), (1, 1, 0), (0, 1, 0),
               (0, 1, 1), (0, 0, 1), (1, 0, 1), (1, 1, 1))


def fader(i, lo, hi):
    """Fader i (1-8) between lo and hi; half way until it has moved."""
    c = op('smooth').chan('fader%d' % i)
    x = c.eval() if c is not None else 0.5
    return lo + (hi - lo) * x


def flash():
    """The colour of the pads held down, by how hard they were hit."""
    rgb = [0.0, 0.0, 0.0]
    for i, colour in enumerate(PAD_COLOURS):
        c = op('pads').chan('ch1n%d' % (36 + i))
        if c is not None and c.eval() > 0:
            for k in range(3):
                rgb[k] = min(1.0, rgb[k] + colour[k] * c.eval() * 0.6)
    return rgb
