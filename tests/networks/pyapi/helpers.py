# A module DAT: mod.helpers.double(x)
def double(x):
    return 2 * x

GREETING = 'hello from ' + me.name
