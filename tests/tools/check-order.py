#!/usr/bin/env python3
"""check-order.py INPUT SEEDS -- COMMAND...

The order property: dms-postrender must give the same objects whatever the
order of the documents it is fed (Helm 4 sends template-file order, Helm 3
install order, and Helm 4 re-sorts what a post-renderer writes before the
next run sees it). COMMAND is the program with its options (it reads stdin).
For each seed in 1..SEEDS the documents of INPUT are shuffled (each keeps its
own text, its "# Source:" line included) and the run on the shuffled stream
must:
  * succeed where the run on INPUT succeeds (and fail with the same exit
    status where it fails);
  * hold the same set of objects as the run on INPUT (parsed with PyYAML,
    compared as data);
  * keep the shuffled input's order: its first documents are the input's,
    one for one, in that order, and only generated ones follow;
  * give a byte-identical second pass over its own output;
  * pass `--check` (exit 0) on its own output shuffled once more, as the
    next run under Helm 4 would see it.
A stream whose documents cannot be cut apart safely here (directives, "..."
end markers) is reported as such and not shuffled. Exit 0 and a line
"check-order: ok, ..." when every property holds; else each violation and
exit 1."""
import json
import random
import re
import subprocess
import sys

import yaml

# Every scalar as its text: the comparison is of data as written, and a tag
# PyYAML has no constructor for (the YAML 1.1 "=" key) is no reason to stop.
Loader = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
problems = []


def err(msg):
    problems.append(msg)


def split(text):
    """The documents of TEXT as they start at column-0 '---' lines; None when
    the stream has what a simple cut cannot keep (directives, end markers)."""
    lines = text.splitlines(keepends=True)
    if any(re.match(r"^(%|\.\.\.(\s|$))", l) for l in lines):
        return None
    docs, cur = [], []
    for l in lines:
        if re.match(r"^---(\s|$)", l) and cur:
            docs.append("".join(cur))
            cur = []
        cur.append(l)
    if cur:
        docs.append("".join(cur))
    out = []
    for d in docs:
        if not d.startswith("---"):
            d = "---\n" + d
        if not d.endswith("\n"):
            d += "\n"
        out.append(d)
    return out


def shuffled(text, seed):
    docs = split(text)
    if docs is None:
        return None
    random.Random(seed).shuffle(docs)
    return "".join(docs)


def run(cmd, data, extra=()):
    p = subprocess.run(cmd + list(extra), input=data.encode(), capture_output=True)
    return p.returncode, p.stdout.decode("utf-8", "surrogateescape"), p.stderr.decode("utf-8", "replace")


def for_go(text):
    """Without the byte order marks at later documents, which Go's parser
    skips and libyaml (PyYAML's C loader) refuses."""
    return text.replace("\n\ufeff", "\n").lstrip("\ufeff")


def objects(text):
    out = []
    for d in yaml.load_all(for_go(text), Loader=Loader):
        if d is None or d == "":  # no document, or comments only
            continue
        items = d["items"] if isinstance(d, dict) and str(d.get("kind", "")).endswith("List") and \
            isinstance(d.get("items"), list) else [d]
        for o in items:
            out.append(json.dumps(o, sort_keys=True, default=str))
    return sorted(out)


def is_report(doc_text):
    return "dms-postrender/report.yaml" in doc_text


def identity(doc_text):
    ids = []
    for d in yaml.load_all(for_go(doc_text), Loader=Loader):
        if isinstance(d, dict):
            m = d.get("metadata") if isinstance(d.get("metadata"), dict) else {}
            ids.append((d.get("apiVersion"), d.get("kind"), m.get("namespace"), m.get("name")))
        elif d is not None and d != "":
            ids.append(("?", repr(d)[:40]))
    return tuple(ids)


def main():
    path, seeds = sys.argv[1], int(sys.argv[2])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    text = open(path, encoding="utf-8", errors="surrogateescape").read()
    if split(text) is None or len(split(text)) < 2:
        print("check-order: ok, not shuffled (one document, directives or end markers)")
        return 0
    rc0, out0, _ = run(cmd, text)
    want = objects(out0) if rc0 == 0 else None
    for seed in range(1, seeds + 1):
        shuf = shuffled(text, seed)
        rc, out, errtext = run(cmd, shuf)
        where = "seed %d" % seed
        if rc != rc0:
            err("%s: exit %d on the shuffled stream, %d on the input: %s" % (where, rc, rc0, errtext[:300]))
            continue
        if rc != 0:
            continue
        got = objects(out)
        if got != want:
            a, b = set(want) - set(got), set(got) - set(want)
            err("%s: other objects than for the input's order: only in the input's run %s; only in the "
                "shuffled run %s" % (where, [x[:200] for x in sorted(a)][:2], [x[:200] for x in sorted(b)][:2]))
        # The report object of an earlier run gives way to a fresh one at
        # the end when a run changes something: it keeps no place.
        ins = [d for d in split(shuf) if not is_report(d)]
        outs = [d for d in split(out) or [] if not is_report(d)]
        if [identity(d) for d in outs[:len(ins)]] != [identity(d) for d in ins]:
            err("%s: the output does not keep the shuffled input's order" % where)
        rc2, out2, e2 = run(cmd, out)
        if rc2 != 0 or out2 != out:
            err("%s: a second pass over the output changed it (exit %d) %s" % (where, rc2, e2[:200]))
        again = shuffled(out, seed + 100)
        rc3, out3, e3 = run(cmd, again, ["--check"])
        if rc3 != 0:
            err("%s: --check on the output shuffled again exits %d: %s" % (where, rc3, e3[:300]))
        elif out3 != again:
            err("%s: --check did not copy its input through" % where)
    if problems:
        print("\n".join(problems))
        return 1
    print("check-order: ok, %d seeds, %d documents, %d objects%s" % (
        seeds, len(split(text)), len(want or []), "" if rc0 == 0 else ", every order exits %d" % rc0))
    return 0


if __name__ == "__main__":
    sys.exit(main())
