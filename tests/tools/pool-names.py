#!/usr/bin/env python3
"""pool-names.py -- do the MetalLB objects and the Services agree on the pool?

Usage: pool-names.py FILE   (FILE: what `kubectl kustomize` built from an output)

Every pool a Service asks for (metallb.io/address-pool and the legacy
metallb.universe.tf/address-pool annotation) and every pool an
L2Advertisement lists must be an IPAddressPool of the stream. Exit 0 and print
"ok" with the names when they agree, else print what is missing and exit 1.
"""
import sys

import yaml

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def main():
    pools, wanted = set(), []
    for d in yaml.load_all(open(sys.argv[1], encoding="utf-8"), Loader=Loader):
        if not isinstance(d, dict):
            continue
        kind, meta = d.get("kind"), d.get("metadata") or {}
        if kind == "IPAddressPool":
            pools.add(meta.get("name"))
        elif kind == "L2Advertisement":
            wanted += [("L2Advertisement %s" % meta.get("name"), p)
                       for p in (d.get("spec") or {}).get("ipAddressPools") or []]
        elif kind == "Service":
            for k, v in (meta.get("annotations") or {}).items():
                if k in ("metallb.io/address-pool", "metallb.universe.tf/address-pool"):
                    wanted.append(("Service %s" % meta.get("name"), v))
    if not pools:
        print("pool-names: no IPAddressPool in the stream")
        return 1
    missing = [(who, p) for who, p in wanted if p not in pools]
    for who, p in missing:
        print("pool-names: %s refers to pool %r, which is not among %s" % (who, p, sorted(pools)))
    if not missing:
        print("pool-names: ok, %d references to %s" % (len(wanted), sorted(pools)))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
