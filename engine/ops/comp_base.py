# comp_base.py: the Base COMP's Python class (comp_base.c's op type names
# it; td runs this file in td's namespace). Its extensions and shortcuts
# are every COMP's (td_comp.py).


class baseCOMP(COMP):
    """A Base COMP: a container of ops, with extensions and shortcuts."""
    isBase = True
