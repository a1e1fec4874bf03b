#!/usr/bin/env python3
"""check-patch.py -- an independent oracle for the hardening patch.

Usage: check-patch.py INPUT OUTPUT [ARG...]   (ARG: the options the run used)

Checks, with PyYAML and its own docker-mailserver image rule (not the C code's):
  * both streams hold the same number of documents;
  * a document without a docker-mailserver workload is byte-identical (a
    byte-identical document needs no further check, so inputs that PyYAML's
    safe loader rejects pass as long as they are not touched);
  * in a patched document, every docker-mailserver container carries the
    required securityContext, and once the fields the patch owns are set
    aside (the container's owned securityContext keys, its AppArmor pod
    annotation, the kube-linter workload annotations it added) the object is
    exactly the input object: same containers, names, images, everything;
  * user additions survive: extra capabilities, existing annotation texts.
Exit 0 when all hold; otherwise print each violation and exit 1.
"""
import fnmatch
import json
import re
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KINDS = {"Deployment": "spec.template", "StatefulSet": "spec.template", "DaemonSet": "spec.template",
         "ReplicaSet": "spec.template", "Pod": ""}
DMS_IMAGE = re.compile(r"(^|/)(docker-mailserver|mailserver|tvial)/docker-mailserver(:[\w][\w.-]*)?(@sha256:[0-9a-f]{64})?$")
OWNED = {"allowPrivilegeEscalation", "readOnlyRootFilesystem", "runAsUser", "runAsGroup", "runAsNonRoot",
         "privileged", "capabilities", "seccompProfile", "appArmorProfile"}
REQUIRED = {"allowPrivilegeEscalation": True, "readOnlyRootFilesystem": False, "runAsUser": 0, "runAsGroup": 0,
            "runAsNonRoot": False, "privileged": False}
BASE_CAPS = {"CHOWN", "FOWNER", "MKNOD", "SETGID", "SETUID", "DAC_OVERRIDE", "NET_BIND_SERVICE", "SYS_CHROOT", "KILL"}
APPARMOR = "container.apparmor.security.beta.kubernetes.io/"
LINTER = ["ignore-check.kube-linter.io/run-as-non-root", "ignore-check.kube-linter.io/privileged-ports",
          "ignore-check.kube-linter.io/no-read-only-root-fs"]

errors = []


def err(where, msg):
    errors.append("%s: %s" % (where, msg))


def split_raw(text):
    """Documents as raw text, split at column-0 '---' lines."""
    parts, cur = [], []
    for line in text.splitlines(keepends=True):
        if re.match(r"---(\s|$)", line) and any(l.strip() and not l.lstrip().startswith("#") for l in cur):
            parts.append("".join(cur))
            cur = []
        cur.append(line)
    if cur:
        parts.append("".join(cur))
    return parts


def opts(args):
    o = {"containers": [], "images": [], "apparmor": "auto", "linter": True}
    for a in args:
        k, _, v = a.partition("=")
        if k == "--container":
            o["containers"].append(v)
        elif k == "--image":
            o["images"].append(v)
        elif k == "--apparmor":
            o["apparmor"] = v
        elif k == "--no-linter-annotations":
            o["linter"] = False
    return o


def repo(image):
    image = image.split("@")[0]
    head, _, last = image.rpartition("/")
    return (head + "/" if head else "") + last.split(":")[0]


def is_dms(c, o):
    if o["containers"]:
        return c.get("name") in o["containers"]
    image = c.get("image") or ""
    if DMS_IMAGE.search(image):
        return True
    r = repo(image)
    return any(fnmatch.fnmatchcase(r, p) or fnmatchcase_path(r, p) for p in o["images"])


def fnmatchcase_path(r, p):
    first, _, rest = r.partition("/")
    return bool(rest) and ("." in first or ":" in first or first == "localhost") and fnmatch.fnmatchcase(rest, p)


def get(d, path):
    for k in [p for p in path.split(".") if p]:
        if not isinstance(d, dict):
            return None
        d = d.get(k)
    return d


def objects(doc):
    if isinstance(doc, dict) and str(doc.get("kind", "")).endswith("List") and isinstance(doc.get("items"), list):
        return doc["items"]
    return [doc]


def norm_cap(c):
    c = str(c).upper()
    return c[4:] if c.startswith("CAP_") else c


def check_container(where, ci, co, pod_o, tmpl_i, tmpl_o, o):
    sc_o = co.get("securityContext") or {}
    sc_i = ci.get("securityContext") or {}
    for k, v in REQUIRED.items():
        if sc_o.get(k) is not v and sc_o.get(k) != v or type(sc_o.get(k)) is not type(v):
            err(where, "securityContext.%s is %r, want %r" % (k, sc_o.get(k), v))
    caps_o = sc_o.get("capabilities") or {}
    add = {norm_cap(c) for c in caps_o.get("add") or []}
    drop = {norm_cap(c) for c in caps_o.get("drop") or []}
    if "ALL" not in drop:
        err(where, "capabilities.drop lacks ALL")
    if not BASE_CAPS <= add:
        err(where, "capabilities.add lacks %s" % sorted(BASE_CAPS - add))
    if add & drop:
        err(where, "capabilities %s are both added and dropped" % sorted(add & drop))
    caps_i = sc_i.get("capabilities") or {}
    lost = {norm_cap(c) for c in caps_i.get("add") or []} - add
    if lost:
        err(where, "user capabilities %s were removed" % sorted(lost))
    if len(caps_o.get("add") or []) != len(add):
        err(where, "capabilities.add holds duplicates")
    if (get(sc_o, "seccompProfile.type") not in ("RuntimeDefault", "Localhost")
            and get(pod_o, "securityContext.seccompProfile.type") != "Localhost"):
        err(where, "seccompProfile is %r" % sc_o.get("seccompProfile"))
    # Fields we do not own are untouched.
    rest_i = {k: v for k, v in sc_i.items() if k not in OWNED}
    rest_o = {k: v for k, v in sc_o.items() if k not in OWNED}
    if rest_i != rest_o:
        err(where, "securityContext fields the patch does not own changed: %r -> %r" % (rest_i, rest_o))
    if set(caps_o) - {"add", "drop"} != set(caps_i) - {"add", "drop"}:
        err(where, "capabilities gained or lost a key")
    # AppArmor: present unless off, and annotation and field agree.
    key = APPARMOR + co.get("name", "")
    ann = (get(tmpl_o, "metadata.annotations") or {}).get(key)
    field = sc_o.get("appArmorProfile")
    if o["apparmor"] != "off":
        if ann is None and field is None:
            err(where, "no AppArmor profile")
        if ann is not None and field is not None:
            want = "runtime/default" if field.get("type") == "RuntimeDefault" else (
                "localhost/" + str(field.get("localhostProfile")) if field.get("type") == "Localhost" else "unconfined")
            if ann != want:
                err(where, "AppArmor annotation %r disagrees with the field %r" % (ann, field))
        for profile in (ann, (field or {}).get("type")):
            if profile in ("unconfined", "Unconfined"):
                err(where, "AppArmor is unconfined")


def strip(obj, o, tmpl_path, dms_names, linter_in):
    """The object with every part the patch may own removed."""
    # A JSON round trip, not deepcopy: YAML aliases must not stay shared.
    obj = json.loads(json.dumps(obj, default=str))
    tmpl = get(obj, tmpl_path) if tmpl_path else obj
    spec = (tmpl or {}).get("spec") or {}
    for c in spec.get("containers") or []:
        if isinstance(c, dict) and c.get("name") in dms_names:
            sc = c.get("securityContext")
            if isinstance(sc, dict):
                for k in OWNED:
                    sc.pop(k, None)
            if not sc:
                c.pop("securityContext", None)
    for holder, keys in ((tmpl, [APPARMOR + n for n in dms_names]), (obj, [k for k in LINTER if k not in linter_in])):
        meta = (holder or {}).get("metadata")
        if isinstance(meta, dict) and isinstance(meta.get("annotations"), dict):
            for k in keys:
                meta["annotations"].pop(k, None)
            if not meta["annotations"]:
                meta.pop("annotations")
        if isinstance(meta, dict) and not meta and holder is tmpl and holder is not obj:
            holder.pop("metadata")
    return obj


def check_object(where, oi, oo, o):
    kind = oi.get("kind") if isinstance(oi, dict) else None
    if kind not in KINDS:
        if oi != oo:
            err(where, "a %s changed" % kind)
        return False
    tp = KINDS[kind]
    ti, to = (get(oi, tp), get(oo, tp)) if tp else (oi, oo)
    ci = [c for c in (get(ti, "spec.containers") or []) if isinstance(c, dict)]
    co = [c for c in (get(to, "spec.containers") or []) if isinstance(c, dict)]
    names = [c.get("name") for c in ci if is_dms(c, o)]
    if not names:
        if oi != oo:
            err(where, "a %s without a docker-mailserver container changed" % kind)
        return False
    if [(c.get("name"), c.get("image")) for c in ci] != [(c.get("name"), c.get("image")) for c in co]:
        err(where, "container names or images changed")
        return True
    for a, b in zip(ci, co):
        if a.get("name") in names:
            check_container("%s container %s" % (where, a.get("name")), a, b, get(to, "spec") or {}, ti, to, o)
    linter_in = set((get(oi, "metadata.annotations") or {}).keys())
    if o["linter"]:
        anns = get(oo, "metadata.annotations") or {}
        for k in LINTER:
            if k not in anns:
                err(where, "kube-linter annotation %s missing" % k)
            elif k in linter_in and anns[k] != get(oi, "metadata.annotations")[k]:
                err(where, "existing annotation %s was rewritten" % k)
    if strip(oi, o, tp, names, linter_in) != strip(oo, o, tp, names, linter_in):
        err(where, "fields the patch does not own changed")
    return True


def main():
    inp, out = open(sys.argv[1], encoding="utf-8-sig").read(), open(sys.argv[2], encoding="utf-8-sig").read()
    o = opts(sys.argv[3:])
    ri, ro = split_raw(inp), split_raw(out)
    if len(ri) != len(ro):
        err("stream", "%d documents in, %d out" % (len(ri), len(ro)))
    patched = 0
    for n, (a, b) in enumerate(zip(ri, ro), 1):
        if a == b:
            continue  # byte-identical: nothing to explain
        di = list(yaml.load_all(a, Loader=Loader))
        do = list(yaml.load_all(b, Loader=Loader))
        di = [d for d in di if d is not None]
        do = [d for d in do if d is not None]
        if len(di) != len(do):
            err("document %d" % n, "parses to %d vs %d documents" % (len(di), len(do)))
            continue
        touched = False
        for x, y in zip(di, do):
            items_i, items_o = objects(x), objects(y)
            if len(items_i) != len(items_o):
                err("document %d" % n, "List length changed")
                continue
            for i, (p, q) in enumerate(zip(items_i, items_o)):
                touched |= check_object("document %d object %d" % (n, i + 1), p, q, o)
        patched += touched
        if not touched:
            err("document %d" % n, "has no docker-mailserver workload but is not byte-identical")
    for e in errors:
        print("check-patch: " + e)
    if not errors:
        print("check-patch: ok, %d documents, %d with docker-mailserver workloads" % (len(ri), patched))
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
