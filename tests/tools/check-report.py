#!/usr/bin/env python3
"""check-report.py REPORT INPUT OUTPUT [EXIT_STATUS] -- validate a --report
file: it parses as JSON, has the documented shape and types, its status
matches the exit status, and (for a successful run) the objects it lists as
changed are exactly the objects whose data differ between INPUT and OUTPUT
(read with PyYAML), its generated documents are the ones OUTPUT has beyond
INPUT, and its counts agree. Prints one line per problem; exit 1 if any."""
import json
import sys

import yaml

problems = []


def need(cond, what):
    if not cond:
        problems.append(what)


def objects(path):
    """(kind, namespace, name) -> data for every object, List items too."""
    out = {}
    with open(path, encoding="utf-8") as f:
        for d in yaml.safe_load_all(f):
            if not isinstance(d, dict):
                continue
            items = d.get("items") if str(d.get("kind", "")).endswith("List") else None
            for o in items if isinstance(items, list) else [d]:
                md = o.get("metadata") or {}
                key = (o.get("kind"), md.get("namespace"), md.get("name"))
                out.setdefault(key, []).append(o)
    return out


def main():
    report, inp, outp = sys.argv[1:4]
    status = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    with open(report, encoding="utf-8") as f:
        r = json.load(f)
    opt_str = (str, type(None))
    need(r.get("reportVersion") == 1, "reportVersion is not 1")
    need(isinstance(r.get("tool"), str) and r["tool"].startswith("dms-postrender "), "tool")
    need(r.get("exitStatus") == status, f"exitStatus {r.get('exitStatus')} != {status}")
    want = {0: "ok", 7: "not-patched"}.get(status, "failed")
    need(r.get("status") == want, f"status {r.get('status')!r} != {want!r}")
    need(isinstance(r.get("check"), bool), "check is not a boolean")
    for key in ("documents", "generated", "warnings", "errors"):
        need(isinstance(r.get(key), list), f"{key} is not a list")
    need(all(isinstance(w, str) and "\n" not in w for w in r.get("warnings", []) + r.get("errors", [])),
         "a warning or error is not a one-line string")
    need((status == 0 or status == 7) == (not r.get("errors")), "errors do not match the exit status")
    for d in r.get("documents", []):
        need(isinstance(d.get("document"), int) and d["document"] >= 1, f"document number in {d}")
        for key in ("kind", "namespace", "name", "source"):
            need(isinstance(d.get(key), opt_str), f"{key} type in document {d.get('document')}")
        need(isinstance(d.get("changes"), list) and d["changes"], f"no changes in document {d.get('document')}")
        for c in d.get("changes", []):
            need(set(c) == {"patch", "path", "old", "new"}, f"change keys {sorted(c)}")
            need(c.get("patch") in ("proxy", "harden", "host-network", "expose"), f"patch name {c.get('patch')!r}")
            need(isinstance(c.get("path"), str) and isinstance(c.get("new"), str), "path/new not strings")
            need(isinstance(c.get("old"), opt_str), "old is not a string or null")
    for g in r.get("generated", []):
        need(all(isinstance(g.get(k), str) for k in ("kind", "namespace", "name", "source")), f"generated {g}")
        need(g.get("source", "").startswith("dms-postrender/"), f"generated source {g.get('source')}")
    if status != 0:
        return finish()
    before, after = objects(inp), objects(outp)
    changed = {k for k, v in after.items() if k in before and before[k] != v}
    listed = {(d["kind"], d["namespace"], d["name"]) for d in r["documents"]}
    need(changed == listed, f"changed objects {sorted(map(str, changed))} != reported {sorted(map(str, listed))}")
    added = {k for k in after if k not in before}
    gen = {(g["kind"], g["namespace"], g["name"]) for g in r["generated"]}
    need(added == gen, f"added objects {sorted(map(str, added))} != reported generated {sorted(map(str, gen))}")
    counts = r.get("counts") or {}
    need(counts.get("generated") == len(r["generated"]), "counts.generated")
    need(isinstance(counts.get("documents"), int) and counts.get("changed", -1) >= 1 if listed else True, "counts")
    return finish()


def finish():
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
