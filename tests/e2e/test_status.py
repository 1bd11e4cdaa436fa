"""The kiosk's HTTP server as its users meet it: OSCQuery read with plain
HTTP and a WebSocket client (the tree against `vitrine ops`, LISTEN
against a value set over OSC), and the status page loaded in headless
Chromium."""
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from conftest import ROOT, VITRINE, free_port, free_tcp_port, osc_packet
from images import read_png

NET = """[network]
fps = 30
output = level
resolution = 160x90
[noise]
OPType = noiseTOP
type = random
period = 12.5
seed = 3
mono = off
[level]
OPType = levelTOP
inputs = noise
brightness1.expr = 0.05 * 2
[caption]
OPType = textTOP
text = hello
[lfo]
OPType = lfoCHOP
frequency = 0.5
[movie]
OPType = moviefileinTOP
file = nothing.mp4
[bad]
OPType = executeDAT
file = bad.py
framestart = on
"""


class Kiosk:
    def __init__(self, tmp_path):
        (tmp_path / "network.ini").write_text(NET)
        (tmp_path / "nothing.mp4").write_text("not a movie\n")
        (tmp_path / "bad.py").write_text(
            "def onFrameStart(frame):\n    return 1 / 0\n")
        self.http, self.osc = free_tcp_port(), free_port()
        ini = tmp_path / "kiosk.ini"
        ini.write_text("[osc]\nport = %d\n[http]\nport = %d\n[sync]\n"
                       "name = gallery-3\n" % (self.osc, self.http))
        env = dict(os.environ)
        env.pop("JOURNAL_STREAM", None)
        self.err = open(tmp_path / "err.log", "w")
        self.log = tmp_path / "err.log"
        self.p = subprocess.Popen([VITRINE, "--headless", "--config",
                                   str(ini), str(tmp_path)], cwd=ROOT,
                                  stderr=self.err, env=env)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                self.get("/?HOST_INFO")
                return
            except (urllib.error.URLError, ConnectionError):
                assert self.p.poll() is None, self.log.read_text()
                time.sleep(0.1)
        raise AssertionError(self.log.read_text())

    def get(self, path):
        url = "http://127.0.0.1:%d%s" % (self.http, path)
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, r.headers.get("content-type"), r.read()

    def json(self, path):
        status, _, body = self.get(path)
        assert status == 200
        return json.loads(body)

    def status(self, path):
        try:
            return self.get(path)[0]
        except urllib.error.HTTPError as e:
            return e.code

    def stop(self):
        self.p.terminate()
        assert self.p.wait(timeout=60) == 0
        return self.log.read_text()


@pytest.fixture
def kiosk(tmp_path):
    k = Kiosk(tmp_path)
    yield k
    if k.p.poll() is None:
        k.stop()


def declarations(optype):
    """`vitrine ops TYPE --markdown`'s table as {name: {kind, default,
    range, min, max, menu}}."""
    out = subprocess.run([VITRINE, "ops", optype, "--markdown"],
                         capture_output=True, text=True, timeout=30,
                         check=True).stdout
    decl = {}
    for line in out.splitlines():
        cols = line.split(" | ")
        if not line.startswith("| `") or len(cols) != 4:
            continue
        names = re.findall(r"`([^`]+)`", cols[0].split("(or")[0])
        spec = re.split(r"\s{2,}", cols[2])
        kind = spec[0]
        info = {"kind": kind, "default": [""]}
        for x in spec[1:]:
            if x.startswith("default "):
                info["default"] = [v.strip("`") for v in x[8:].split()]
            elif x.startswith("range "):
                info["range"] = [float(v) for v in
                                 re.match(r"range (\S+)\.\.(\S+)", x)
                                 .groups()]
            elif x.startswith("min "):
                info["min"] = float(x[4:])
            elif x.startswith("max "):
                info["max"] = float(x[4:])
            elif x.startswith("["):
                info["menu"] = re.findall(r"`([^`]+)`", x)
        for i, n in enumerate(names):
            d = info["default"]
            decl[n] = dict(info, default=d[min(i, len(d) - 1)])
    return decl


TYPES = {"float": "f", "int": "i", "toggle": "T", "menu": "s",
         "string": "s", "pulse": "I", "op": "s", "file": "s"}


def test_oscquery_tree_is_the_declarations_and_the_values(kiosk):
    info = kiosk.json("/?HOST_INFO")
    assert info["NAME"] == "gallery-3"
    assert info["OSC_PORT"] == kiosk.osc and info["OSC_TRANSPORT"] == "UDP"
    assert info["EXTENSIONS"]["LISTEN"] is True
    root = kiosk.json("/")
    assert root["FULL_PATH"] == "/"
    ops = root["CONTENTS"]["project1"]["CONTENTS"]
    assert set(ops) >= {"noise", "level", "caption", "lfo", "movie"}
    set_in_file = {("noise", "type"): "random", ("noise", "period"): 12.5,
                   ("noise", "seed"): 3, ("noise", "mono"): False,
                   ("caption", "text"): "hello", ("lfo", "frequency"): 0.5}
    checked = 0
    for name, optype in [("noise", "noiseTOP"), ("level", "levelTOP"),
                         ("caption", "textTOP"), ("lfo", "lfoCHOP"),
                         ("movie", "moviefileinTOP")]:
        node = ops[name]
        assert node["DESCRIPTION"] == optype
        decl = declarations(optype)
        pars = node["CONTENTS"]
        assert set(pars) == set(decl), (optype, set(pars) ^ set(decl))
        for pname, d in decl.items():
            p = pars[pname]
            assert p["FULL_PATH"] == "/project1/%s/%s" % (name, pname)
            assert p["TYPE"] == TYPES[d["kind"]], (pname, p, d)
            if d["kind"] in ("op", "file"):
                assert p["ACCESS"] == 0 and "VALUE" not in p, p
                continue
            if d["kind"] == "pulse":
                assert "VALUE" not in p
                continue
            value = p["VALUE"][0]
            want = set_in_file.get((name, pname))
            if want is None:  # the declared default
                want = {"float": float, "int": int,
                        "toggle": lambda v: v == "on",
                        "menu": str, "string": str}[d["kind"]](
                            d["default"])
            if (name, pname) == ("level", "brightness1"):
                assert p["ACCESS"] == 1 and value == pytest.approx(0.1)
            elif d["kind"] != "string" or (name, pname) in set_in_file:
                assert value == pytest.approx(want), (name, pname, p, d)
                assert p["ACCESS"] == 3, p
            if d["kind"] == "menu":
                assert p["RANGE"] == [{"VALS": d["menu"]}]
            if d["kind"] in ("float", "int"):
                lo = d.get("min", d.get("range", [None])[0])
                hi = d.get("max", d.get("range", [None, None])[1])
                if lo is not None and hi is not None and lo < hi:
                    assert p["RANGE"] == [{"MIN": lo, "MAX": hi}], (p, d)
            checked += 1
    assert checked > 60
    # attributes, and what is not there
    assert kiosk.json("/project1/noise/period?VALUE") == {"VALUE": [12.5]}
    assert kiosk.json("/project1/noise/type?RANGE")["RANGE"][0]["VALS"][1] \
        == "sparse"
    assert kiosk.status("/project1/noise?VALUE") == 204
    assert kiosk.status("/project1/noise/period?BOGUS") == 400
    assert kiosk.status("/project1/nosuch") == 404
    assert kiosk.status("/project1/noise/perod") == 404
    kiosk.stop()


def osc_values(packet):
    """An OSC message's address and its float/int/string arguments."""
    end = packet.index(b"\0")
    addr = packet[:end].decode()
    i = (end + 4) & ~3
    tend = packet.index(b"\0", i)
    tags = packet[i + 1:tend].decode()
    i = (tend + 4) & ~3
    vals = []
    for t in tags:
        if t == "f":
            vals.append(struct.unpack(">f", packet[i:i + 4])[0])
            i += 4
        elif t == "i":
            vals.append(struct.unpack(">i", packet[i:i + 4])[0])
            i += 4
        elif t in "TF":
            vals.append(t == "T")
        elif t == "s":
            e = packet.index(b"\0", i)
            vals.append(packet[i:e].decode())
            i = (e + 4) & ~3
    return addr, vals


def test_listen_sends_a_value_set_over_osc(kiosk):
    websocket = pytest.importorskip("websocket")
    ws = websocket.create_connection("ws://127.0.0.1:%d/" % kiosk.http,
                                     timeout=10)
    ws.send(json.dumps({"COMMAND": "LISTEN",
                        "DATA": "/project1/noise/period"}))
    ws.send(json.dumps({"COMMAND": "LISTEN",
                        "DATA": "/project1/caption/text"}))
    time.sleep(0.5)  # taken, and its first value noted (not sent)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.sendto(osc_packet("/project1/noise/period", 42.0),
                ("127.0.0.1", kiosk.osc))
    sock.sendto(osc_packet("/project1/caption/text", "bonjour"),
                ("127.0.0.1", kiosk.osc))
    got = {}
    deadline = time.time() + 10
    while len(got) < 2 and time.time() < deadline:
        op, data = ws.recv_data()
        assert op == websocket.ABNF.OPCODE_BINARY
        addr, vals = osc_values(data)
        got[addr] = vals
    assert got == {"/project1/noise/period": [42.0],
                   "/project1/caption/text": ["bonjour"]}
    # IGNORE: no more of it
    ws.send(json.dumps({"COMMAND": "IGNORE",
                        "DATA": "/project1/noise/period"}))
    time.sleep(0.5)
    sock.sendto(osc_packet("/project1/noise/period", 43.0),
                ("127.0.0.1", kiosk.osc))
    sock.sendto(osc_packet("/project1/caption/text", "hola"),
                ("127.0.0.1", kiosk.osc))
    op, data = ws.recv_data()
    assert osc_values(data) == ("/project1/caption/text", ["hola"])
    ws.close()
    assert kiosk.json("/project1/noise/period?VALUE") == {"VALUE": [43.0]}
    kiosk.stop()


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None,
                    reason="chromium (a test dependency, `make deps`) is "
                           "not installed")
def test_status_page_in_headless_chromium(kiosk, tmp_path):
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    for _ in range(5):
        sock.sendto(osc_packet("/project1/noise/seed", 4.0),
                    ("127.0.0.1", kiosk.osc))
    status, ctype, _ = kiosk.get("/status")  # the page is watched...
    assert status == 200 and ctype.startswith("text/html")
    deadline = time.time() + 20  # ...so a preview is taken
    while kiosk.status("/preview.jpg") != 200 and time.time() < deadline:
        time.sleep(0.2)
    status, ctype, jpeg = kiosk.get("/preview.jpg")
    assert ctype == "image/jpeg" and jpeg[:2] == b"\xff\xd8" and \
        len(jpeg) > 1000
    s = kiosk.json("/status.json")  # renewed once a second
    while "name" not in s and time.time() < deadline + 10:
        time.sleep(0.2)
        s = kiosk.json("/status.json")
    assert s["name"] == "gallery-3" and s["mode"] == "running"
    assert s["osc"]["messages"] >= 5 and s["rate"] == 30
    assert [e["path"] for e in s["errors"]] == ["/project1/bad"]
    assert "ZeroDivisionError" in s["errors"][0]["error"]
    assert "[http] status page on" in s["log"]
    shot = tmp_path / "status.png"
    args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
            "--hide-scrollbars", "--window-size=1000,800",
            "--virtual-time-budget=4000",
            "http://127.0.0.1:%d/status" % kiosk.http]
    dom = subprocess.run(args + ["--dump-dom"], capture_output=True,
                         text=True, timeout=120).stdout
    assert re.search(r'<td id="frame"[^>]*>\d+</td>', dom), dom
    assert re.search(r'<td id="osc"[^>]*>\d+ messages', dom), dom
    assert "/project1/bad" in dom and 'src="preview.jpg?' in dom
    subprocess.run(args + ["--screenshot=%s" % shot], capture_output=True,
                   timeout=120)
    w, h, px = read_png(shot)
    assert (w, h) == (1000, 800)
    # the preview (the level of a coloured noise) is shown at the right
    # of the first row: many colours where the page has few
    colours = {px[y][x][:3] for y in range(60, 230, 7)
               for x in range(560, 880, 7)}
    assert len(colours) > 50, len(colours)
    kiosk.stop()


def avahi_running():
    if not shutil.which("avahi-browse") or not shutil.which("avahi-daemon"):
        return False
    return subprocess.run(["avahi-daemon", "--check"]).returncode == 0


@pytest.mark.skipif(not avahi_running(),
                    reason="no running avahi-daemon (it needs the system "
                           "D-Bus) and avahi-browse here: mDNS "
                           "advertising not verified")
def test_advertised_through_avahi_under_its_name(tmp_path):
    """Two kiosks opened to the network with the same name: both are
    found as _oscjson._tcp and _osc._udp, the second under another name
    it says."""
    (tmp_path / "network.ini").write_text("[network]\nfps = 30\n")
    procs, logs = [], []
    for i in range(2):
        http, osc = free_tcp_port(), free_port()
        ini = tmp_path / ("k%d.ini" % i)
        ini.write_text("[osc]\nbind = 0.0.0.0\nport = %d\n[http]\nbind = "
                       "0.0.0.0\nport = %d\n[sync]\nname = vitrine-test-%d\n"
                       % (osc, http, os.getpid()))
        logs.append(tmp_path / ("k%d.log" % i))
        procs.append(subprocess.Popen(
            [VITRINE, "--headless", "--config", str(ini), str(tmp_path)],
            cwd=ROOT, stderr=open(logs[-1], "w")))
        deadline = time.time() + 30
        while "[mdns] advertised" not in logs[-1].read_text() and \
                time.time() < deadline:
            time.sleep(0.1)
    try:
        found = {}
        for kind in ("_oscjson._tcp", "_osc._udp"):
            out = subprocess.run(["avahi-browse", "-rtp", kind],
                                 capture_output=True, text=True,
                                 timeout=30).stdout
            # -p escapes a name's bytes as \DDD (decimal)
            found[kind] = {re.sub(r"\\(\d{3})",
                                  lambda m: chr(int(m.group(1))),
                                  l.split(";")[3])
                           for l in out.splitlines()
                           if l.startswith("=") and "vitrine-test" in l}
    finally:
        for p in procs:
            p.terminate()
            p.wait(timeout=60)
    name = "vitrine-test-%d" % os.getpid()
    texts = [l.read_text() for l in logs]
    assert "[mdns] advertised as '%s'" % name in texts[0], texts[0]
    assert "another service on the network is called '%s'" % name \
        in texts[1], texts[1]
    assert found["_oscjson._tcp"] == {name, name + " #2"}, found
    assert found["_osc._udp"] == {name, name + " #2"}, found
