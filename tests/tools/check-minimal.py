#!/usr/bin/env python3
"""check-minimal.py -- independent oracle for --format minimal.

Usage: check-minimal.py INPUT MINIMAL REEMIT      check, exit 1 on a complaint
       check-minimal.py --count INPUT OUTPUT      print line counts, never fail

Checks, reading everything with PyYAML (not libyaml's document API):
  1. MINIMAL and REEMIT hold exactly the same data, document by document.
  2. Every input line that is missing from MINIMAL (a 'delete' or 'replace'
     of difflib's line diff) is owned by a patch: it lies on a value the
     patches replaced or removed (a scalar, a flow collection, a null that
     became a block, a removed key or item), or in a document that cannot be
     spliced (JSON or flow root, aliases), which is re-emitted whole. Comment
     and blank lines are owned only inside such a value. The report object
     of an earlier run (Source dms-postrender/report.yaml), which gives way
     to a fresh one when a run changes something, is owned whole.

--count prints "lines: I input, M missing, O owned by patches, L lost" for any
output (minimal or re-emitted), for the acceptance measurement.
"""
import difflib
import sys

import yaml



class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """safe_load, plus tags it does not know (the prometheus-operator
    bundle has '=') kept as (tag, value) instead of refused."""


def _unknown(loader, node):
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, loader.construct_scalar(node))
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, tuple(loader.construct_sequence(node, deep=True)))
    return (node.tag, tuple(sorted(map(repr, loader.construct_mapping(node, deep=True).items()))))


Loader.add_constructor(None, _unknown)


def load_all(text):
    """Parse TEXT as Go's parser reads a stream: a UTF-8 byte order mark at
    the start of a later document is ignored (libyaml, behind PyYAML's C
    loader, takes one only at the start of the stream)."""
    return yaml.load_all(for_go(text), Loader=Loader)


def for_go(text):
    """TEXT as bytes without the byte order marks Go's parser skips (lines
    keep their numbers)."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    return data.replace(b"\n\xef\xbb\xbf", b"\n")


def ident(data):
    if not isinstance(data, dict):
        return None
    md = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
    return (str(data.get("kind")), str(md.get("namespace")), str(md.get("name")))


def keyed(docs):
    """Documents by (identity, occurrence)."""
    seen, out = {}, {}
    for d in docs:
        i = ident(d)
        n = seen.get(i, 0)
        seen[i] = n + 1
        out[(i, n)] = d
    return out


MISSING = object()


def at(data, path):
    for p in path:
        if isinstance(data, dict) and p in data:
            data = data[p]
        elif isinstance(data, list) and isinstance(p, int) and p < len(data):
            data = data[p]
        else:
            return MISSING
    return data



def owned_lines(text, out_docs):
    """Line numbers (0-based) of TEXT whose loss a patch explains."""
    owned = set()
    text_lines = text.split("\n")
    nodes = list(yaml.compose_all(for_go(text), Loader=Loader))
    datas = list(load_all(text))
    events = list(yaml.parse(for_go(text), Loader=Loader))
    # Documents with aliases are re-emitted whole.
    alias_docs, doc_no = set(), -1
    for ev in events:
        if isinstance(ev, yaml.DocumentStartEvent):
            doc_no += 1
        elif isinstance(ev, yaml.AliasEvent):
            alias_docs.add(doc_no)
    seen, prev_end = {}, 0
    for n, (root, data) in enumerate(zip(nodes, datas)):
        if root is None:
            continue
        head, prev_end = range(prev_end, root.start_mark.line), root.end_mark.line + 1
        md = data.get("metadata") if isinstance(data, dict) and isinstance(data.get("metadata"), dict) else {}
        ann = md.get("annotations") if isinstance(md.get("annotations"), dict) else {}
        if any(text_lines[j] == "# Source: dms-postrender/report.yaml" for j in head) or \
                ann.get("postrenderer.helm.sh/postrender-filename") == "dms-postrender/report.yaml":
            start = root.start_mark.line
            while start > 0 and not text_lines[start].startswith("---"):
                start -= 1
            owned.update(range(start, root.end_mark.line + 1))
            continue
        i = ident(data)
        k = seen.get(i, 0)
        seen[i] = k + 1
        out = out_docs.get((i, k), MISSING)
        span = range(root.start_mark.line, root.end_mark.line + 1)
        if out is MISSING:
            continue  # a lost document: every line of it is a complaint
        if out == data:
            continue  # untouched: nothing may change
        bom = any(text_lines[j].startswith("\ufeff") for j in span if j < len(text_lines))
        if n in alias_docs or root.flow_style or bom:  # re-emitted whole
            owned.update(span)
            continue

        def walk(node, path, key_line):
            v_in = at(data, path)
            v_out = at(out, path)
            if v_in == v_out:
                return
            # A changed mapping with explicit keys ("? key") is written again
            # as a whole, like a flow-style one.
            explicit = isinstance(node, yaml.MappingNode) and any(
                text_lines[kn.start_mark.line][:kn.start_mark.column].rstrip().endswith("?")
                for kn, _ in node.value if kn.start_mark.line < len(text_lines))
            unit = (
                v_out is MISSING
                or isinstance(node, yaml.ScalarNode)
                or node.flow_style
                or explicit
                or type(v_in) is not type(v_out)
            )
            if unit:
                first = key_line if key_line is not None else node.start_mark.line
                last = node.end_mark.line
                # A block collection's end mark lies at the next token.
                if not isinstance(node, yaml.ScalarNode) and not node.flow_style and node.end_mark.column == 0:
                    last -= 1
                owned.update(range(first, last + 1))
                return
            if isinstance(node, yaml.MappingNode):
                for kn, vn in node.value:
                    walk(vn, path + [construct_key(kn)], kn.start_mark.line)
            elif isinstance(node, yaml.SequenceNode):
                for j, it in enumerate(node.value):
                    walk(it, path + [j], it.start_mark.line)

        walk(root, [], None)
    return owned


def construct_key(kn):
    if isinstance(kn, yaml.ScalarNode):
        return yaml.constructor.SafeConstructor().construct_object(kn)
    return None


def missing_lines(a_text, b_text):
    a, b = a_text.splitlines(), b_text.splitlines()
    gone = []
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("delete", "replace"):
            gone.extend(range(i1, i2))
    return a, gone


def main(argv):
    count = argv[1:2] == ["--count"]
    if count:
        argv = argv[1:]
    if len(argv) != (3 if count else 4):
        print(__doc__, file=sys.stderr)
        return 2
    texts = []
    for p in argv[1:]:
        with open(p, encoding="utf-8", newline="") as f:
            texts.append(f.read())
    inp, minimal = texts[0], texts[1]
    complaints = []
    min_docs = list(load_all(minimal))
    if not count:
        re_docs = list(load_all(texts[2]))
        if min_docs != re_docs:
            for n, (x, y) in enumerate(zip(min_docs, re_docs)):
                if x != y:
                    complaints.append("document %d: minimal and re-emitted outputs differ in data" % (n + 1))
                    break
            else:
                complaints.append("minimal has %d documents, re-emitted %d" % (len(min_docs), len(re_docs)))
    owned = owned_lines(inp, keyed(min_docs))
    lines, gone = missing_lines(inp, minimal)
    lost = [i for i in gone if i not in owned]
    if count:
        print("lines: %d input, %d missing, %d owned by patches, %d lost" %
              (len(lines), len(gone), len(gone) - len(lost), len(lost)))
        return 0
    for i in lost[:5]:
        complaints.append("input line %d lost although no patch owns it: %r" % (i + 1, lines[i]))
    if complaints:
        for c in complaints:
            print("check-minimal: " + c)
        return 1
    _, re_gone = missing_lines(inp, texts[2])
    re_lost = sum(1 for i in re_gone if i not in owned)
    print("check-minimal: ok, %d documents same as re-emitted, %d of %d input lines replaced by patches, "
          "none lost (re-emitting loses %d)" % (len(min_docs), len(gone), len(lines), re_lost))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
