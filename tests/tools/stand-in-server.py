#!/usr/bin/env python3
"""stand-in-server.py PORTFILE CHARTDIR -- on 127.0.0.1 (a free port, written
to PORTFILE), what the real Helm needs from the outside world in the suite,
which has no cluster and no network:
- /charts/*: the files of CHARTDIR, a chart repository made by `helm package`
  and `helm repo index` (the README's `helm repo add` points here);
- the read-only discovery endpoints of a Kubernetes API server, so that the
  real Helm 3 can run `install/upgrade --dry-run=client`: Helm 3.17 still asks
  for /version and the API resource lists to map kinds (Helm 4 does not), and
  `upgrade --install` lists the release's Secrets (Helm's release store),
  which is always empty here.
Everything else is 404; nothing is stored. It exits after 15 minutes at the
latest."""
import http.server, json, os, sys, threading

GROUPS = {
    "v1": ["secrets/Secret", "configmaps/ConfigMap", "services/Service", "pods/Pod",
           "persistentvolumeclaims/PersistentVolumeClaim", "serviceaccounts/ServiceAccount"],
    "apps/v1": ["deployments/Deployment", "statefulsets/StatefulSet", "daemonsets/DaemonSet"],
    "networking.k8s.io/v1": ["networkpolicies/NetworkPolicy", "ingresses/Ingress"],
    "metallb.io/v1beta1": ["ipaddresspools/IPAddressPool", "l2advertisements/L2Advertisement"],
    "traefik.io/v1alpha1": ["ingressroutetcps/IngressRouteTCP"],
}


def resources(gv):
    out = []
    for r in GROUPS[gv]:
        plural, kind = r.split("/")
        out.append({"name": plural, "singularName": kind.lower(), "namespaced": True, "kind": kind,
                    "verbs": ["get", "list", "create", "update", "patch", "delete"]})
    return {"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": out}


def body_for(path):
    if path == "/version":
        return {"major": "1", "minor": "31", "gitVersion": "v1.31.0", "platform": "linux/amd64"}
    if path == "/api":
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}
    if path == "/apis":
        groups = []
        for gv in GROUPS:
            if "/" in gv:
                g, v = gv.split("/")
                groups.append({"name": g, "versions": [{"groupVersion": gv, "version": v}],
                               "preferredVersion": {"groupVersion": gv, "version": v}})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}
    if path == "/api/v1":
        return resources("v1")
    if path.startswith("/apis/") and path[6:] in GROUPS:
        return resources(path[6:])
    parts = path.split("/")
    if len(parts) == 6 and parts[1:4] == ["api", "v1", "namespaces"] and parts[5] == "secrets":
        return {"kind": "SecretList", "apiVersion": "v1", "metadata": {"resourceVersion": "1"}, "items": []}
    return None


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = self.path.split("?")[0]
        if path.startswith("/charts/"):
            name = os.path.basename(path)
            file = os.path.join(sys.argv[2], name)
            if name and os.path.isfile(file):
                data = open(file, "rb").read()
                self.send_response(200)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
        body = body_for(path)
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[1], "w") as f:
    f.write(str(server.server_address[1]))
threading.Timer(900, server.shutdown).start()
server.serve_forever()
