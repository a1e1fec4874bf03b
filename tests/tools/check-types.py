#!/usr/bin/env python3
"""check-types.py NAME INPUT OUTPUT -- the differential type check: no value
changes its type or meaning on the way through dms-postrender, as a real
reader sees it. INPUT and OUTPUT are two readings of the same stream before
and after a run (PyYAML's reading of the YAML itself, or Go's: the output of
`kubectl kustomize` over it, which re-serialises what go-yaml read with its
types made explicit). NAME says which reading it is, for the messages.

Objects are matched by apiVersion, kind, namespace and name (in order for
duplicates). Along every path that both readings of an object have, a scalar
whose text is the same before and after must have the same type (a string
"1" must not become the number 1, a null must not become ''). Values the
patches replace have other texts and are the oracles' business
(check-patch.py, check-proxy.py); so are the securityContext and host-network
fields whose type a patch corrects on purpose (a quoted "0" runAsUser becomes
the number 0). One Go-side allowance: kustomize writes a flow mapping's empty
value ("{limits: , ...}", a null to PyYAML and to go-yaml's resolver) as "",
so in the Go reading "" may become a null. Exit 0 with "check-types: ok, ..."
or 1 with each difference."""
import re
import sys

# Fields a patch owns and writes with their proper type.
CORRECTED = re.compile(r"(^|\.)securityContext\.(runAsUser|runAsGroup|runAsNonRoot|privileged|"
                       r"allowPrivilegeEscalation|readOnlyRootFilesystem)$|(^|\.)hostNetwork$|\.hostPort$")

import yaml


class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    pass


# The YAML 1.1 "=" value key (prometheus-operator's CRDs have one): a string.
Loader.add_constructor("tag:yaml.org,2002:value", lambda loader, node: loader.construct_scalar(node))


def load(path):
    text = open(path, "rb").read().replace(b"\n\xef\xbb\xbf", b"\n")
    out = {}
    for d in yaml.load_all(text, Loader=Loader):
        items = d["items"] if isinstance(d, dict) and str(d.get("kind", "")).endswith("List") and \
            isinstance(d.get("items"), list) else [d]
        for o in items:
            if not isinstance(o, dict):
                continue
            m = o.get("metadata") if isinstance(o.get("metadata"), dict) else {}
            key = (str(o.get("apiVersion")), str(o.get("kind")), str(m.get("namespace")), str(m.get("name")))
            n = 0
            while (key, n) in out:
                n += 1
            out[(key, n)] = o
    return out


def text(v):
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def kind(v):
    if v is None:
        return "null"
    return type(v).__name__


def walk(a, b, path, problems, where):
    if isinstance(a, dict) and isinstance(b, dict):
        for k in a:
            if k in b:
                walk(a[k], b[k], path + [str(k)], problems, where)
        return
    if isinstance(a, list) and isinstance(b, list):
        for i, (x, y) in enumerate(zip(a, b)):
            walk(x, y, path + [str(i)], problems, where)
        return
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return
    dotted = ".".join(path)
    if CORRECTED.search(dotted):
        return
    if where.startswith("Go ") and a == "" and b is None:
        return
    if text(a) == text(b) and kind(a) != kind(b):
        problems.append("%s: %s: %s %r became %s %r" % (where, ".".join(path), kind(a), a, kind(b), b))


def main():
    name, inp, out = sys.argv[1:4]
    a, b = load(inp), load(out)
    problems = []
    for key, o in a.items():
        if key in b:
            walk(o, b[key], [], problems, "%s %s %s" % (name, key[0][1], key[0][3]))
    if problems:
        print("\n".join("check-types: %s" % p for p in problems[:20]))
        return 1
    print("check-types: ok, %s reading, %d objects compared" % (name, len(set(a) & set(b))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
