#!/usr/bin/env python3
"""check-diff.py INPUT DIFF OUTPUT -- the --diff of INPUT, applied to INPUT,
gives OUTPUT (what the same run writes without --diff), byte for byte.

Each section's hunks name stream-wide line numbers: the old side in INPUT,
the new side in OUTPUT. Every context and removed line must be INPUT's line
at that number, every context and added line OUTPUT's; rebuilding OUTPUT
from INPUT and the hunks must give OUTPUT. Headers must be "--- a/..." or
"--- /dev/null" then "+++ b/...". Prints "check-diff: ok, N sections, M hunks"
or the first problem (exit 1).
"""
import re
import sys


def lines(path):
    data = open(path, "rb").read()
    return data.split(b"\n")[:-1] if data.endswith(b"\n") else data.split(b"\n")


def main():
    old, diff, new = lines(sys.argv[1]), open(sys.argv[2], "rb").read().split(b"\n"), lines(sys.argv[3])
    out, pos, sections, hunks, i = [], 0, 0, 0, 0
    if diff and diff[-1] == b"":
        diff.pop()
    # A header of comment lines before the first section (the Pod Security
    # level of each docker-mailserver pod), as patch and git apply allow.
    header = 0
    while i < len(diff) and diff[i].startswith(b"# "):
        i += 1
        header += 1
    while i < len(diff):
        if diff[i].startswith(b"--- "):
            if not (diff[i].startswith(b"--- a/") or diff[i].startswith(b"--- /dev/null")) or \
                    i + 1 >= len(diff) or not re.match(rb"^\+\+\+ (b/|/dev/null)", diff[i + 1]):
                sys.exit(f"check-diff: bad section header at diff line {i + 1}: {diff[i][:80]!r}")
            sections += 1
            i += 2
            continue
        m = re.match(rb"^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$", diff[i])
        if not m:
            sys.exit(f"check-diff: diff line {i + 1} is neither a header nor a hunk: {diff[i][:80]!r}")
        a, na, b, nb = map(int, m.groups())
        hunks += 1
        start = a - 1 if na else a  # 0-based index of the first old line
        if start < pos:
            sys.exit(f"check-diff: hunk at diff line {i + 1} goes back in the input")
        out.extend(old[pos:start])
        pos = start
        ka, kb = start, (b - 1 if nb else b)
        if len(out) != kb:
            sys.exit(f"check-diff: hunk at diff line {i + 1} names output line {b}, but it falls at {len(out) + 1}")
        i += 1
        seen_a = seen_b = 0
        while i < len(diff) and diff[i][:1] in (b" ", b"-", b"+", b"\\") and not diff[i].startswith(b"--- "):
            kind, text = diff[i][:1], diff[i][1:]
            if kind == b"\\":
                i += 1
                continue
            if kind in (b" ", b"-"):
                if ka >= len(old) or old[ka].rstrip(b"\r") != text:
                    sys.exit(f"check-diff: diff line {i + 1} is not input line {ka + 1}")
                ka += 1
                seen_a += 1
            if kind in (b" ", b"+"):
                if kb >= len(new) or new[kb].rstrip(b"\r") != text:
                    sys.exit(f"check-diff: diff line {i + 1} is not output line {kb + 1}")
                out.append(new[kb])
                kb += 1
                seen_b += 1
            i += 1
        if (seen_a, seen_b) != (na, nb):
            sys.exit(f"check-diff: hunk {hunks} counts {na},{nb} but holds {seen_a},{seen_b}")
        pos = ka
    out.extend(old[pos:])
    if out != new:
        first = next((k for k, (x, y) in enumerate(zip(out, new)) if x != y), min(len(out), len(new)))
        sys.exit(f"check-diff: the input with the diff applied differs from the output at line {first + 1}")
    print(f"check-diff: ok, {sections} sections, {hunks} hunks")


if __name__ == "__main__":
    main()
