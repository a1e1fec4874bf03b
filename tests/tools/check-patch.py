#!/usr/bin/env python3
"""check-patch.py -- an independent oracle for the hardening and exposure patches.

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
  * user additions survive: extra capabilities, existing annotation texts;
  * with --host-network, the DMS pod has hostNetwork, dnsPolicy
    ClusterFirstWithHostNet (unless it chose Default or None) and hostPort =
    containerPort on every mail port of the DMS container;
  * a Service changes only when it is a docker-mailserver mail Service (its
    own matching rule: --service names, or selector within a DMS workload's
    labels in its namespace plus a mail port), and then carries exactly the
    MetalLB annotations, type, externalTrafficPolicy and externalIPs the
    options ask for, with everything else as it was;
  * the documents after the input's are exactly the generated MetalLB
    objects (--lb-emit-pool), naming the pool the Services name, or the
    CiliumLoadBalancerIPPool that selects the docker-mailserver Services.
Exit 0 when all hold; otherwise print each violation and exit 1.
"""
import fnmatch
import json
import re
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_all(text):
    """Parse TEXT as Go's parser reads a stream: a UTF-8 byte order mark at
    the start of a later document is ignored (libyaml, behind PyYAML's C
    loader, takes one only at the start of the stream)."""
    data = text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text
    return yaml.load_all(data.replace(b"\n\xef\xbb\xbf", b"\n"), Loader=Loader)

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


MAIL_PORTS = {25, 465, 587, 143, 993, 110, 995, 4190, 12525, 10465, 10587, 10143, 10993, 10110, 10995, 14190}


def opts(args):
    o = {"containers": [], "images": [], "apparmor": "auto", "linter": True, "services": [], "pool": None,
         "ips": [], "shared": None, "prefixes": ["metallb.io/"], "policy": "local",
         "external": [], "emit": [], "mlb_ns": "metallb-system", "hostnet": False, "lb": "metallb",
         "dms": "auto", "caps": [], "probes": "keep"}
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
        elif k == "--service":
            o["services"].append(v)
        elif k in ("--lb-pool", "--metallb-pool"):
            o["pool"] = v
        elif k in ("--lb-ip", "--metallb-ip"):
            o["ips"] += v.split(",")
        elif k in ("--lb-shared-ip", "--metallb-shared-ip"):
            o["shared"] = v
        elif k == "--load-balancer":
            o["lb"] = v
        elif k == "--dms-version":
            o["dms"] = v
        elif k == "--probes":
            o["probes"] = v
        elif k == "--add-capability":
            o["caps"].append(norm_cap(v))
        elif k == "--metallb-annotations":
            o["prefixes"] = {"new": ["metallb.io/"], "legacy": ["metallb.universe.tf/"],
                            "both": ["metallb.io/", "metallb.universe.tf/"]}[v]
        elif k == "--traffic-policy":
            o["policy"] = v
            o["policy_given"] = True
        elif k == "--external-ip":
            o["external"] += v.split(",")
        elif k in ("--lb-emit-pool", "--metallb-emit-pool"):
            o["emit"] += [x for x in v.split(",") if x]
        elif k == "--metallb-namespace":
            o["mlb_ns"] = v
        elif k == "--host-network":
            o["hostnet"] = True
    return o


def is_mail(n):
    return isinstance(n, int) and not isinstance(n, bool) and n in MAIL_PORTS


def repo(image):
    image = image.split("@")[0]
    head, _, last = image.rpartition("/")
    return (head + "/" if head else "") + last.split(":")[0]


def dms_major(image):
    """The major version an image tag names; latest, edge or no tag: 16 (the
    newest release when this was written); a digest alone or a word: 0."""
    image = str(image or "")
    name, _, digest = image.partition("@")
    last = name.rsplit("/", 1)[-1]
    tag = last.partition(":")[2] if ":" in last else None
    if tag is None:
        return 0 if digest else 16
    if tag in ("latest", "edge"):
        return 16
    m = re.match(r"v?(\d+)(?:[.-]|$)", tag)
    return int(m.group(1)) if m else 0


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
    # --probes healthcheck: the three probes run dms-healthcheck, with the
    # documented timings (README "Health probes").
    want_probes = {"startupProbe": (10, 60), "readinessProbe": (10, 3), "livenessProbe": (30, 4)}
    for k, (period, failures) in want_probes.items() if o["probes"] == "healthcheck" else ():
        p = co.get(k) or {}
        if (get(p, "exec.command") != ["dms-healthcheck"] or p.get("periodSeconds") != period
                or p.get("timeoutSeconds") != 10 or p.get("failureThreshold") != failures
                or any(h in p for h in ("httpGet", "tcpSocket", "grpc"))):
            err(where, "%s is %r, not dms-healthcheck every %ds, 10s timeout, %d failures" % (k, p, period, failures))
    # The guide of the version in use: 16's adds MAC_OVERRIDE (DMS PR #4661,
    # kubernetes.md:282 at v16.0.0), 15's does not.
    v16 = o["dms"] == "16" or (o["dms"] == "auto" and dms_major(co.get("image")) >= 16)
    had = {norm_cap(x) for x in (sc_i.get("capabilities") or {}).get("add") or []}
    if v16 and "MAC_OVERRIDE" not in add:
        err(where, "capabilities.add lacks MAC_OVERRIDE (docker-mailserver 16's guide)")
    if not v16 and "MAC_OVERRIDE" in add - had and "MAC_OVERRIDE" not in o["caps"]:
        err(where, "MAC_OVERRIDE added for docker-mailserver before 16")
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
    if o["hostnet"]:
        for p in co.get("ports") or []:
            if is_mail(p.get("containerPort")) and p.get("hostPort") != p.get("containerPort"):
                err(where, "mail port %r has hostPort %r" % (p.get("containerPort"), p.get("hostPort")))


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
            if o["probes"] == "healthcheck":
                for k in ("startupProbe", "readinessProbe", "livenessProbe"):
                    c.pop(k, None)
            if o["hostnet"]:
                for p in c.get("ports") or []:
                    if isinstance(p, dict) and is_mail(p.get("containerPort")):
                        p.pop("hostPort", None)
    if o["hostnet"]:
        spec.pop("hostNetwork", None)
        if spec.get("dnsPolicy") in ("ClusterFirst", "ClusterFirstWithHostNet"):
            spec.pop("dnsPolicy")
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


def dms_workloads(docs, o):
    """(namespace, template labels, {DMS port name: containerPort}) of each DMS workload."""
    found = []
    for doc in docs:
        for obj in objects(doc):
            if not isinstance(obj, dict) or obj.get("kind") not in KINDS or is_hook(obj):
                continue
            tp = KINDS[obj["kind"]]
            tmpl = get(obj, tp) if tp else obj
            dms = [c for c in (get(tmpl, "spec.containers") or []) if isinstance(c, dict) and is_dms(c, o)]
            if dms:
                ports = {p.get("name"): p.get("containerPort") for c in dms for p in c.get("ports") or []}
                found.append((get(obj, "metadata.namespace"), get(tmpl, "metadata.labels") or {}, ports))
    return found


def is_dms_service(svc, o, workloads):
    if o["services"]:
        return get(svc, "metadata.name") in o["services"]
    sel = get(svc, "spec.selector")
    if not isinstance(sel, dict) or not sel:
        return False
    for ns, labels, names in workloads:
        if ns != get(svc, "metadata.namespace") or any(labels.get(k) != v for k, v in sel.items()):
            continue
        for p in get(svc, "spec.ports") or []:
            t = p.get("targetPort")
            if is_mail(p.get("port")) or is_mail(t) or (isinstance(t, str) and is_mail(names.get(t))):
                return True
    return False


def check_service(where, si, so, o):
    spec_i, spec_o = si.get("spec") or {}, so.get("spec") or {}
    anns = get(so, "metadata.annotations") or {}
    owned = []
    metallb = o["pool"] or o["ips"] or o["shared"]
    # Each implementation's keys, as its upstream source names them
    # (../shared/reference/ecosystem-2026.md section 2, crds/kube-vip).
    keys = {"metallb": ("address-pool", "loadBalancerIPs", "allow-shared-ip"),
            "cilium": (None, "lbipam.cilium.io/ips", "lbipam.cilium.io/sharing-key"),
            "kube-vip": (None, "kube-vip.io/loadbalancerIPs", None),
            "servicelb": (None, None, None)}[o["lb"]]
    prefixes = o["prefixes"] if o["lb"] == "metallb" else [""]
    for name, value in zip(keys, (o["pool"], ",".join(o["ips"]) if o["ips"] else None, o["shared"])):
        for prefix in prefixes if value and name else []:
            owned.append(prefix + name)
            if anns.get(prefix + name) != value:
                err(where, "annotation %s is %r, want %r" % (prefix + name, anns.get(prefix + name), value))
    if o["ips"] and "loadBalancerIP" in spec_o:
        err(where, "spec.loadBalancerIP %r next to the loadBalancerIPs annotation" % spec_o["loadBalancerIP"])
    if metallb and spec_o.get("type") != "LoadBalancer":
        err(where, "type is %r, want LoadBalancer" % spec_o.get("type"))
    eips = spec_o.get("externalIPs") or []
    if not set(o["external"]) <= set(eips) or not set(spec_i.get("externalIPs") or []) <= set(eips):
        err(where, "externalIPs %r lack some of %r" % (eips, o["external"]))
    if len(set(eips)) != len(eips):
        err(where, "externalIPs hold duplicates")
    policy = spec_o.get("externalTrafficPolicy")
    # A value the input sets stays unless --traffic-policy was given; an
    # absent one becomes the option's (default Local).
    kept = spec_i.get("externalTrafficPolicy") if not o.get("policy_given") else None
    if spec_o.get("type") in ("LoadBalancer", "NodePort"):
        want = kept if kept is not None else o["policy"].capitalize()
        if o["policy"] != "keep" and policy != want:
            err(where, "externalTrafficPolicy is %r, want %s" % (policy, want))
    elif policy is not None:
        err(where, "externalTrafficPolicy %r on a %s Service" % (policy, spec_o.get("type") or "ClusterIP"))

    def rest(svc):
        svc = json.loads(json.dumps(svc, default=str))
        spec = svc.get("spec") or {}
        for k in ("externalTrafficPolicy", "externalIPs") + (("type",) if metallb else ()):
            spec.pop(k, None)
        if spec.get("loadBalancerIP") in o["ips"]:
            spec.pop("loadBalancerIP")
        a = get(svc, "metadata.annotations")
        if isinstance(a, dict):
            for k in owned:
                a.pop(k, None)
            if not a:
                svc["metadata"].pop("annotations")
        if o["policy"] == "keep" and spec_i.get("type") in ("LoadBalancer", "NodePort"):
            spec["externalTrafficPolicy"] = spec_i.get("externalTrafficPolicy")
        return svc
    if rest(si) != rest(so):
        err(where, "Service fields the patch does not own changed")


def is_hook(obj):
    """A Helm hook (Helm 4 sends them to post-renderers): never patched."""
    return isinstance(obj, dict) and "helm.sh/hook" in (get(obj, "metadata.annotations") or {})


def check_object(where, oi, oo, o, workloads=()):
    kind = oi.get("kind") if isinstance(oi, dict) else None
    if is_hook(oi):
        if oi != oo:
            err(where, "a Helm hook (%s) changed" % kind)
        return False
    if kind == "Service" and is_dms_service(oi, o, workloads):
        check_service(where, oi, oo, o)
        return True
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
    if o["hostnet"]:
        pod_i, pod_o = get(ti, "spec") or {}, get(to, "spec") or {}
        if pod_o.get("hostNetwork") is not True:
            err(where, "hostNetwork is %r" % pod_o.get("hostNetwork"))
        want = pod_i.get("dnsPolicy") if pod_i.get("dnsPolicy") in ("Default", "None") else "ClusterFirstWithHostNet"
        if pod_o.get("dnsPolicy") != want:
            err(where, "dnsPolicy is %r, want %r" % (pod_o.get("dnsPolicy"), want))
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


def check_generated(extra, docs_in, o, workloads):
    """The documents appended after the input's must be the MetalLB objects."""
    want = []
    existing = {(get(x, "kind"), get(x, "metadata.namespace"), get(x, "metadata.name"))
                for d in docs_in for x in objects(d) if isinstance(x, dict)}
    services = any(is_dms_service(x, o, workloads) for d in docs_in for x in objects(d)
                   if isinstance(x, dict) and x.get("kind") == "Service")
    if o["emit"] and services and o["lb"] == "metallb":
        want = [k for k in ("IPAddressPool", "L2Advertisement") if (k, o["mlb_ns"], o["pool"]) not in existing]
    if o["emit"] and services and o["lb"] == "cilium" and ("CiliumLoadBalancerIPPool", None, o["pool"]) not in existing:
        want = ["CiliumLoadBalancerIPPool"]
    dms_names = sorted({get(x, "metadata.name") for d in docs_in for x in objects(d)
                        if isinstance(x, dict) and x.get("kind") == "Service" and is_dms_service(x, o, workloads)})
    got = []
    # Helm 4 writes "# Source:" itself from the filename annotation, so a
    # generated document carries one of the two: the comment when the input
    # had no annotation (Helm 3, pipes), the annotation when it had.
    helm4 = any(isinstance(x, dict) and "postrenderer.helm.sh/postrender-filename" in (get(x, "metadata.annotations") or {})
                for d in docs_in for x in objects(d))
    for raw in extra:
        source = re.search(r"^# Source: dms-postrender/", raw, re.M)
        if not helm4 and not source:
            err("generated", "an appended document has no '# Source: dms-postrender/' line")
        if helm4 and source:
            err("generated", "a Helm 4 stream's appended document has a '# Source:' line (Helm 4 adds a second)")
        for d in load_all(raw):
            if d is None:
                continue
            got.append(d.get("kind"))
            where = "generated %s" % d.get("kind")
            ann = (get(d, "metadata") or {}).get("annotations") or {}
            if helm4 and not str(ann.get("postrenderer.helm.sh/postrender-filename", "")).startswith("dms-postrender/"):
                err(where, "a Helm 4 stream's generated document has no dms-postrender/ filename annotation")
            if d.get("kind") == "CiliumLoadBalancerIPPool":
                # Cluster-scoped, cilium.io/v2; its blocks are the pool's
                # addresses, and it selects the DMS Services by name.
                blocks = [b.get("cidr") or "%s-%s" % (b.get("start"), b.get("stop")) for b in get(d, "spec.blocks") or []]
                exprs = get(d, "spec.serviceSelector.matchExpressions") or []
                names = [e.get("values") for e in exprs if e.get("key") == "io.kubernetes.service.name"]
                if d.get("apiVersion") != "cilium.io/v2" or get(d, "metadata.name") != o["pool"] \
                        or get(d, "metadata.namespace") is not None or blocks != o["emit"] or names != [dms_names]:
                    err(where, "wrong pool %r %r: blocks %r, names %r, want %r" % (
                        d.get("apiVersion"), get(d, "metadata.name"), blocks, names, dms_names))
                continue
            if d.get("apiVersion") != "metallb.io/v1beta1" or get(d, "metadata.name") != o["pool"] \
                    or get(d, "metadata.namespace") != o["mlb_ns"]:
                err(where, "wrong identity %r %r/%r" % (d.get("apiVersion"), get(d, "metadata.namespace"),
                                                       get(d, "metadata.name")))
            if d.get("kind") == "IPAddressPool" and (get(d, "spec.addresses") != o["emit"]
                                                     or get(d, "spec.autoAssign") is not True):
                err(where, "spec is %r" % d.get("spec"))
            if d.get("kind") == "L2Advertisement" and get(d, "spec.ipAddressPools") != [o["pool"]]:
                err(where, "ipAddressPools is %r, want [%r]" % (get(d, "spec.ipAddressPools"), o["pool"]))
    if got != want:
        err("generated", "documents %r, want %r" % (got, want))


def main():
    inp, out = open(sys.argv[1], encoding="utf-8-sig").read(), open(sys.argv[2], encoding="utf-8-sig").read()
    o = opts(sys.argv[3:])
    ri, ro = split_raw(inp), split_raw(out)
    docs_in = []
    for raw in ri:
        try:
            docs_in += [d for d in load_all(raw) if d is not None]
        except yaml.YAMLError:
            pass  # untouched documents PyYAML cannot read do not decide anything
    workloads = dms_workloads(docs_in, o)
    if len(ri) > len(ro):
        err("stream", "%d documents in, %d out" % (len(ri), len(ro)))
    check_generated(ro[len(ri):], docs_in, o, workloads)
    patched = 0
    if len(ro) > len(ri) and ri and ro[len(ri) - 1] in (ri[-1] + "\n", ri[-1] + "\r\n"):
        ro[len(ri) - 1] = ri[-1]  # a line break before the appended documents
    for n, (a, b) in enumerate(zip(ri, ro), 1):
        if a == b:
            continue  # byte-identical: nothing to explain
        di = list(load_all(a))
        do = list(load_all(b))
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
                touched |= check_object("document %d object %d" % (n, i + 1), p, q, o, workloads)
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
