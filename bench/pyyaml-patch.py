#!/usr/bin/env python3
"""pyyaml-patch.py -- the benchmark's Python contender: the same patch set as
the dms-postrender run in bench/run.py (the docker-mailserver container's
securityContext, the AppArmor pod annotation, MetalLB annotations, type
LoadBalancer and externalTrafficPolicy Local on its Service), done the way a
script would: PyYAML's C loader reads every document, the C dumper writes
every document back (comments are lost; that is the usual price)."""
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

SECURITY = {
    "allowPrivilegeEscalation": True, "readOnlyRootFilesystem": False, "runAsUser": 0, "runAsGroup": 0,
    "runAsNonRoot": False, "privileged": False,
    "capabilities": {"add": ["CHOWN", "FOWNER", "MKNOD", "SETGID", "SETUID", "DAC_OVERRIDE", "NET_BIND_SERVICE",
                             "SYS_CHROOT", "KILL"], "drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def patch(doc):
    if not isinstance(doc, dict):
        return doc
    kind = doc.get("kind")
    if kind == "Deployment":
        tmpl = doc.get("spec", {}).get("template", {})
        for c in tmpl.get("spec", {}).get("containers", []):
            if "docker-mailserver/docker-mailserver" in str(c.get("image", "")):
                c.setdefault("securityContext", {}).update(SECURITY)
                anns = tmpl.setdefault("metadata", {}).setdefault("annotations", {})
                anns["container.apparmor.security.beta.kubernetes.io/" + c["name"]] = "runtime/default"
    elif kind == "Service" and doc.get("metadata", {}).get("name") == "mailserver":
        anns = doc["metadata"].setdefault("annotations", {})
        anns["metallb.io/address-pool"] = "mail"
        anns["metallb.universe.tf/address-pool"] = "mail"
        doc["spec"]["type"] = "LoadBalancer"
        doc["spec"]["externalTrafficPolicy"] = "Local"
    return doc


def main():
    docs = (patch(d) for d in yaml.load_all(sys.stdin, Loader=Loader))
    yaml.dump_all(docs, sys.stdout, Dumper=Dumper, sort_keys=False, explicit_start=True)


if __name__ == "__main__":
    main()
