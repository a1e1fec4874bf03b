#!/usr/bin/env python3
"""style-variants.py IN OUTDIR -- writes layout variants of the stream IN
into OUTDIR, for testing the minimal-diff writer on layouts the fixtures do
not have: comments.yaml (a comment line, at the line's indentation, after
every content line outside block scalars), crlf.yaml (CRLF line breaks),
trailing.yaml (a trailing comment on every 'key: scalar' line),
nofinal.yaml (no final line break). The data of each variant is that of IN.
"""
import os
import re
import sys


def block_scalar_lines(lines):
    """True for the lines that belong to a block scalar's text."""
    mask, ind = [False] * len(lines), None
    for i, line in enumerate(lines):
        if ind is not None:
            if line.strip() == "" or len(line) - len(line.lstrip(" ")) > ind:
                mask[i] = True
                continue
            ind = None
        m = re.match(r"^( *)(- )?[^#]*: [|>][-+0-9]*\s*$", line) or re.match(r"^( *)(- )[|>][-+0-9]*\s*$", line)
        if m:
            ind = len(m.group(1)) + (2 if m.group(2) else 0)
    return mask


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    src = open(argv[1], encoding="utf-8").read()
    lines = src.split("\n")
    mask = block_scalar_lines(lines)
    out = []
    for i, line in enumerate(lines):
        out.append(line)
        if (not mask[i] and line.strip() and not line.startswith(("---", "#")) and i + 1 < len(lines)
                and not mask[i + 1]):
            out.append(" " * (len(line) - len(line.lstrip(" "))) + "# c%d" % i)
    variants = {"comments": "\n".join(out), "crlf": src.replace("\n", "\r\n"), "nofinal": src.rstrip("\n")}
    out = []
    for i, line in enumerate(lines):
        if not mask[i] and re.match(r"^ *(- )?[A-Za-z0-9_.-]+: [^|>#\s].*$", line) and "#" not in line:
            line += "   # t"
        out.append(line)
    variants["trailing"] = "\n".join(out)
    for name, text in variants.items():
        with open(os.path.join(argv[2], name + ".yaml"), "w", encoding="utf-8", newline="") as f:
            f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
