"""embed.py SOURCE NAME OUT: a Python file as a C header for the build.

OUT holds the file's text as the string NAME_py (NAME: the file's name,
"td_op.py" -> td_op_py) and its code object, compiled here by the same
CPython version vitrine embeds and marshalled, as the bytes NAME_pyc, so
that starting the interpreter does not compile the scripting API again
each time (it was most of the interpreter's start)."""
import marshal
import sys


def c_bytes(data):
    rows = []
    for i in range(0, len(data), 16):
        rows.append("    " + ", ".join(str(b) for b in data[i:i + 16]) + ",")
    return "\n".join(rows)


def main():
    src, name, out = sys.argv[1:4]
    with open(src, encoding="utf-8") as f:
        text = f.read()
    code = compile(text, name, "exec", dont_inherit=True, optimize=0)
    ident = name.replace(".", "_")
    lines = []
    for line in text.splitlines():
        esc = line.replace("\\", "\\\\").replace('"', '\\"')
        lines.append('    "' + esc + '\\n"')
    with open(out, "w", encoding="utf-8") as f:
        f.write("static const char %s[] =\n%s;\n" % (ident, "\n".join(lines)))
        f.write("static const unsigned char %sc[] = {\n%s\n};\n"
                % (ident, c_bytes(marshal.dumps(code))))


if __name__ == "__main__":
    main()
