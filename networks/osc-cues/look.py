# The picture's values between two cues: from (what was on screen when
# the cue came) to the cue's own row of the table, as far as the fade
# timer has got, eased at both ends. Parameters read them through
# expressions: mod.look.value('hue').

NAMES = ('hue', 'saturation', 'brightness', 'period')
FIRST = 1  # the cue on screen before any /cue arrives


def row_values(n):
    """A cue's values from the table, or None when there is no such cue."""
    table = op('cues')
    if table.row(str(n)) is None:
        return None
    return {k: float(table[str(n), k]) for k in NAMES}


def value(name):
    root = op('/project1')
    to = root.fetch('cue_to', None, search=False)
    if to is None:
        return row_values(FIRST)[name]
    start = root.fetch('cue_from', to, search=False)
    x = op('fade')['timer_fraction'].eval()
    x = x * x * (3 - 2 * x)
    return start[name] + (to[name] - start[name]) * x
