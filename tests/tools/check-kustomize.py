#!/usr/bin/env python3
"""check-kustomize.py GO-YAML-READ BUILT EXPECTED OUTPUT -- the objects
`kubectl kustomize` built from what --emit wrote (BUILT) are the objects it
builds from the run's own OUTPUT (EXPECTED), both read by Go's yaml.v3 as
kustomize and Helm 4 read them (tests/tools/go-yaml-read).

Compared as the API server reads them: objects by apiVersion, kind,
namespace and name, whatever their order in the stream; the items of a
kind: List as objects of their own (kustomize unwraps Lists); a field whose
value is null as an absent one (kustomize drops such fields in the objects
it patches). Everything else must be equal, list order included, with one
exception of kustomize's own: a field written with no value (`limits:`,
`note: !`) reads as null in OUTPUT, and kustomize passes it through as ""
or null where it patches nothing and drops it in an object it patches;
such a field is absent in BUILT and null in OUTPUT read directly, which
the API server takes for the same.

Prints "check-kustomize: ok, N objects" or the first difference; exit 1 on
a difference.
"""
import json
import subprocess
import sys


def read(reader, path, drop_nulls=True):
    out = subprocess.run([reader, "v3", path], capture_output=True, text=True)
    if out.returncode:
        sys.exit(f"check-kustomize: {path}: {out.stderr.strip()}")
    docs = [json.loads(d) for d in out.stdout.split("---\n") if d.strip()]
    objs = {}
    for d in docs:
        items = d.get("items") if isinstance(d, dict) and str(d.get("kind", "")).endswith("List") else None
        for o in items if isinstance(items, list) else [d]:
            if not isinstance(o, dict):
                continue
            m = o.get("metadata") or {}
            key = (o.get("apiVersion"), o.get("kind"), m.get("namespace"), m.get("name"))
            if key in objs:
                sys.exit(f"check-kustomize: {path}: {key} twice")
            objs[key] = nonull(o) if drop_nulls else o
    return objs


def nonull(x):
    if isinstance(x, dict):
        return {k: nonull(v) for k, v in x.items() if v is not None}
    if isinstance(x, list):
        return [nonull(v) for v in x]
    return x


def first_difference(a, b, path="", direct=None):
    if type(a) is not type(b):
        return f"{path or '/'}: {json.dumps(a)[:120]} != {json.dumps(b)[:120]}"
    if isinstance(a, dict):
        here = direct if isinstance(direct, dict) else {}
        for k in list(a) + [k for k in b if k not in a]:
            if k in a and k not in b and a[k] in ("", None) and k in here and here[k] is None:
                continue
            if k not in a or k not in b:
                return f"{path}/{k}: {'missing from' if k not in b else 'extra in'} the kustomize build"
            d = first_difference(a[k], b[k], f"{path}/{k}", here.get(k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(b)} items in the kustomize build, {len(a)} in the run's output"
        here = direct if isinstance(direct, list) and len(direct) == len(a) else [None] * len(a)
        for i, (x, y) in enumerate(zip(a, b)):
            d = first_difference(x, y, f"{path}/{i}", here[i])
            if d:
                return d
        return None
    return None if a == b else f"{path}: {json.dumps(b)[:120]} in the kustomize build, {json.dumps(a)[:120]} in the run's output"


def main():
    reader, built, expected, output = sys.argv[1:5]
    got, want = read(reader, built), read(reader, expected)
    direct = read(reader, output, drop_nulls=False)
    for key in list(want) + [k for k in got if k not in want]:
        if key not in got or key not in want:
            print(f"check-kustomize: {key} is {'missing from' if key not in got else 'extra in'} the kustomize build")
            return 1
        d = first_difference(want[key], got[key], "", direct.get(key))
        if d:
            print(f"check-kustomize: {key[1]} {key[2] or ''}/{key[3]}: {d}")
            return 1
    print(f"check-kustomize: ok, {len(want)} objects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
