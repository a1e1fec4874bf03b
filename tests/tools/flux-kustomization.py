#!/usr/bin/env python3
"""flux-kustomization.py EMITTED DIR -- what Flux's helm-controller builds
from the postRenderers that `dms-postrender --emit=flux` wrote (EMITTED),
laid out in DIR for `kubectl kustomize DIR`.

Follows fluxcd/helm-controller internal/postrender/kustomize.go (read at
its source, July 2026): an in-memory kustomization, written with Go's
json.Marshal, whose resources are the Helm render as helm-output.yaml and
whose patches are the postRenderers' kustomize.patches, each an inline
patch with its target. The render itself (DIR/helm-output.yaml) is the
caller's. The documents after the first of EMITTED (the objects the run
generates, which a post-renderer cannot add) go to DIR/generated.yaml.

Prints "flux-kustomization: N patches, M generated documents".
"""
import json
import sys

import yaml


def main():
    emitted, out = sys.argv[1:3]
    text = open(emitted).read()
    docs = text.split("\n---\n", 1)
    first = yaml.safe_load(docs[0])
    renderers = first["postRenderers"]
    if len(renderers) != 1 or set(renderers[0]) != {"kustomize"}:
        sys.exit(f"flux-kustomization: expected one kustomize post-renderer, got {renderers!r}")
    patches = renderers[0]["kustomize"].get("patches") or []
    cfg = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
           "resources": ["helm-output.yaml"], "patches": []}
    for p in patches:
        if set(p) - {"patch", "target"} or not isinstance(p.get("patch"), str):
            sys.exit(f"flux-kustomization: not a Flux patch: {p!r}")
        item = {"patch": p["patch"]}
        if "target" in p:
            item["target"] = p["target"]
        cfg["patches"].append(item)
    with open(f"{out}/kustomization.yaml", "w") as f:
        json.dump(cfg, f)
    generated = docs[1] if len(docs) > 1 else ""
    with open(f"{out}/generated.yaml", "w") as f:
        f.write(generated)
    n = sum(1 for d in yaml.safe_load_all(generated) if d is not None) if generated.strip() else 0
    print(f"flux-kustomization: {len(patches)} patches, {n} generated documents")


if __name__ == "__main__":
    main()
