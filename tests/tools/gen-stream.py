#!/usr/bin/env python3
"""gen-stream.py -- writes a deterministic, realistic rendered Helm 3 stream of
about --bytes bytes to stdout: ConfigMaps with block scalars, Secrets,
Services, multi-container Deployments, StatefulSets and large CRD-like
documents, each after '---' and '# Source:', plus exactly one docker-mailserver
Service and Deployment. Used by the flat-memory test and the benchmark."""
import argparse
import random
import sys


def configmap(i, rnd):
    lines = "\n".join("    line %d: %s" % (j, "x" * rnd.randint(10, 90)) for j in range(rnd.randint(5, 60)))
    return ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-%d\n  labels:\n    app: app-%d\n"
            "data:\n  enabled: \"true\"\n  port: \"8080\"\n  config.txt: |\n%s\n" % (i, i, lines))


def secret(i, rnd):
    return ("apiVersion: v1\nkind: Secret\nmetadata:\n  name: secret-%d\ntype: Opaque\ndata:\n"
            "  password: %s\n" % (i, "QUJD" * rnd.randint(4, 40)))


def service(i, rnd):
    return ("apiVersion: v1\nkind: Service\nmetadata:\n  name: svc-%d\nspec:\n  selector:\n    app: app-%d\n"
            "  ports:\n    - name: http\n      port: 80\n      targetPort: http\n    - name: metrics\n"
            "      port: 9102\n      targetPort: 9102\n" % (i, i))


def workload(kind, i, rnd):
    containers = ""
    for c in range(rnd.randint(1, 3)):
        env = "".join("            - name: VAR_%d\n              value: \"%d\"\n" % (k, k) for k in range(rnd.randint(2, 12)))
        containers += ("        - name: c%d\n          image: registry.example/app-%d:1.%d\n          env:\n%s"
                       "          ports:\n            - name: http\n              containerPort: 8080\n"
                       "          resources:\n            limits: {cpu: 500m, memory: 256Mi}\n" % (c, i, c, env))
    return ("apiVersion: apps/v1\nkind: %s\nmetadata:\n  name: %s-%d\nspec:\n  replicas: 2\n"
            "  selector:\n    matchLabels:\n      app: app-%d\n  template:\n    metadata:\n      labels:\n"
            "        app: app-%d\n    spec:\n      containers:\n%s" % (kind, kind.lower(), i, i, i, containers))


def crd(i, rnd):
    props = "".join(
        "                field%d:\n                  description: >-\n                    Field %d of the resource; %s\n"
        "                  type: string\n" % (k, k, "words " * rnd.randint(3, 30)) for k in range(rnd.randint(50, 400)))
    return ("apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
            "  name: things%d.example.com\nspec:\n  group: example.com\n  names:\n    kind: Thing%d\n"
            "    plural: things%d\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n"
            "      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n"
            "          properties:\n            spec:\n              type: object\n              properties:\n%s"
            % (i, i, i, props))


DMS_SERVICE = """apiVersion: v1
kind: Service
metadata:
  name: mailserver
spec:
  type: LoadBalancer
  selector:
    app: mailserver
  ports:
    - name: smtp
      port: 25
      targetPort: smtp
    - name: imaps
      port: 993
      targetPort: imaps
"""

DMS_DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: mailserver
spec:
  replicas: 1
  selector:
    matchLabels:
      app: mailserver
  template:
    metadata:
      labels:
        app: mailserver
    spec:
      containers:
        - name: mailserver
          image: ghcr.io/docker-mailserver/docker-mailserver:15.1.0
          ports:
            - name: smtp
              containerPort: 25
            - name: imaps
              containerPort: 993
"""


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--bytes", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    out = sys.stdout
    written = 0

    def doc(path, body):
        nonlocal written
        text = "---\n# Source: bench/templates/%s\n%s" % (path, body)
        out.write(text)
        written += len(text)

    doc("dms-service.yaml", DMS_SERVICE)
    i = 0
    makers = [("configmap", configmap), ("secret", secret), ("service", service),
              ("deployment", lambda i, r: workload("Deployment", i, r)),
              ("statefulset", lambda i, r: workload("StatefulSet", i, r)), ("crd", crd)]
    while written < a.bytes - len(DMS_DEPLOYMENT) - 64:
        name, make = makers[i % len(makers)]
        doc("%s-%d.yaml" % (name, i), make(i, rnd))
        i += 1
    doc("dms-deployment.yaml", DMS_DEPLOYMENT)


if __name__ == "__main__":
    main()
