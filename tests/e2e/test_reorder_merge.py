"""reorderCHOP and mergeDAT as TouchDesigner's reference describes them
(its worked examples for the Reorder CHOP's patterns), with every value
checked: tests/networks/reorder-merge prints what each op made."""
from conftest import ROOT, run

NET = ROOT / "tests" / "networks" / "reorder-merge"


def results():
    r = run("--headless", "--frames", "4", str(NET), timeout=60)
    assert r.returncode == 0, r.stderr
    assert "error" not in r.stderr, r.stderr
    prefix = "[/project1/s] "
    out = {}
    for line in r.stderr.splitlines():
        if line.startswith(prefix):
            key, _, rest = line[len(prefix):].partition(" ")
            out[key] = rest
    return out


def test_reorder_chop():
    got = results()
    # the reference's examples: input, pattern, result
    assert got["r1"] == "A B C D"      # C B D A, "3 1"
    assert got["r7"] == "B D A C E"    # A B C D E, "[1-5:2]"
    assert got["r7b"] == "A C E B D"   # the same, remaining at beginning
    assert got["r2"] == "A1 B1 A2 B2"  # A1 A2 B1 B2, "*1 *2"
    assert got["r3"] == "c1 c2 c3 c4"  # c4 c2 c3 c1, "c[1-4]"
    assert got["r4"] == "A B C D"      # by value 1 2 3 4, up
    assert got["r5"] == "D C B A"      # and down
    assert got["r6"] == "A D B C"      # reversed
    assert got["r9"] == "abc2 abc10 chan1"   # base name, then number
    assert got["r10"] == "chan1 abc2 abc10"  # number, then base name
    assert got["r11"] == "D A C B"     # by the reference input's names
    # random: a permutation, the same for the same seed, another for others
    assert got["r12"] == got["r13"]
    assert sorted(got["r12"].split()) == ["A", "B", "C", "D"]
    assert len({got["r12"], got["r14"], got["r15"]}) > 1
    # values are never changed
    assert got["values"] == "1.0 4.0 4.0"
    # a new pattern and a new input value both reach the output
    assert got["after"] == "D C B A 9.0 5"


def test_merge_dat():
    got = results()
    assert got["m1"] == ("[['name', 'value', ''], ['a', '1', ''], "
                         "['b', '2', ''], ['value', 'name', 'extra'], "
                         "['3', 'c', 'x']]")
    assert got["m2"] == ("[['name', 'value', 'extra'], ['a', '1', ''], "
                         "['b', '2', ''], ['c', '3', 'x']]")
    assert got["m3"] == "[['name', 'value'], ['a', '1'], ['b', '2'], " \
        "['c', '3']]"
    assert got["m4"] == ("[['name', 'value', 'value', 'name', 'extra'], "
                         "['a', '1', '3', 'c', 'x'], ['b', '2', '', '', '']]")
    assert got["m5"] == "[['name-value'], ['a-1'], ['b-2'], ['c-3']]"
    assert got["m6"] == "[['name-value-a-1-b-2']]"
    assert got["m8"] == got["m3"]  # the `dat` parameter after the inputs
    assert got["m7"] == "'hello\\nworld' False"  # texts stay text
