# release.sh -- sourced by run-all.sh: the release binaries of `make dist`,
# one per platform, each run where it would run: natively, or under
# qemu-user (Debian's qemu-user-static) for the other architecture. On every
# golden case (its input and args, the second pass over its output, and
# --format reemit) each gives byte for byte the stdout, stderr and exit
# status of this machine's own release binary. Both need no glibc newer
# than the one the README states. Not under the sanitizers or valgrind: the
# release is its own build, and `make test` runs this suite.

native=$(dpkg --print-architecture 2>/dev/null || echo unknown)
rel="$ROOT/build-release"
version=$(cat "$ROOT/VERSION")
if [ -n "${DMSPR_SANITIZED:-}" ] || [ -n "$VALGRIND" ]; then
	skip "release" "the release build is not the one under the sanitizers (make test runs this suite)"
elif ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u DMSPR_SIGNING_KEY make -s -C "$ROOT" dist NO_APT=1 >"$TMP/dist.log" 2>&1; then
	unmet "release/make-dist" "make dist NO_APT=1: $(grep -m1 'make dist:' "$TMP/dist.log" || tail -n 2 "$TMP/dist.log" | tr '\n' '|')"
else
	# Unpack each tarball as a user would; run_arch ARCH ARGS... runs its binary.
	declare -A runner=()
	for a in amd64 arm64; do
		rm -rf "$TMP/rel-$a" && mkdir -p "$TMP/rel-$a"
		tar -xzf "$rel/dms-postrender-$version-linux-$a.tgz" -C "$TMP/rel-$a"
		q=$(sed -n "s/^TRIPLET_$a *= *\([a-z0-9_]*\)-.*/\1/p" "$ROOT/Makefile")
		if [ "$a" = "$native" ]; then
			runner[$a]=""
		elif command -v "qemu-$q-static" >/dev/null 2>&1; then
			runner[$a]="qemu-$q-static -L /"
		else
			runner[$a]=missing
		fi
	done
	run_arch() {
		local a=$1 out=$2 err=$3
		shift 3
		# shellcheck disable=SC2086
		${runner[$a]} "$TMP/rel-$a/dms-postrender/bin/dms-postrender" "$@" >"$out" 2>"$err"
		RC=$?
	}

	# The lowest glibc each binary needs, and the README's statement of it.
	for a in amd64 arm64; do
		need=$(objdump -T "$TMP/rel-$a/dms-postrender/bin/dms-postrender" 2>/dev/null |
			grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -n 1)
		if [ -z "$need" ]; then
			fail "release/glibc-$a" "objdump read no GLIBC_ symbol versions"
		elif grep -q "glibc ${need#GLIBC_} or later" "$ROOT/README.md"; then
			pass "release/glibc-$a (needs $need, as the README says)"
		else
			fail "release/glibc-$a" "the binary needs $need; the README does not say 'glibc ${need#GLIBC_} or later'"
		fi
	done

	# The Argo CD sidecar's Dockerfile (no Docker engine here): for each
	# TARGETARCH, the tarball its ADD names with the ARG defaults filled in,
	# the binary its RUN step links, and that binary's --version.
	dockerfile="$ROOT/examples/argocd/Dockerfile"
	for a in amd64 arm64; do
		add=$(sed -n 's/^ADD \([^ ]*\) \/opt\/$/\1/p' "$dockerfile")
		while read -r arg val; do add=${add//\$\{$arg\}/$val}; done < <(sed -n 's/^ARG \(DMS_POSTRENDER_VERSION\)=\(.*\)/\1 \2/p' "$dockerfile")
		add=${add//\$\{TARGETARCH\}/$a}
		link=$(sed -n 's/^RUN ln -s \/opt\/\([^ ]*\) .*/\1/p' "$dockerfile")
		if [ "$add" != "dms-postrender-$version-linux-$a.tgz" ] || [ ! -f "$rel/$add" ]; then
			fail "release/dockerfile-linux-$a" "ADD names '$add' for linux-$a, not make dist's dms-postrender-$version-linux-$a.tgz"
		elif ! grep -q '^ARG TARGETARCH' "$dockerfile"; then
			fail "release/dockerfile-linux-$a" "no ARG TARGETARCH: the platform does not choose the tarball"
		elif [ "${runner[$a]}" = missing ]; then
			unmet "release/dockerfile-linux-$a" "no qemu-user for linux-$a (Debian: qemu-user-static)"
		elif [ -z "$link" ] || [ ! -x "$TMP/rel-$a/$link" ] ||
			! ${runner[$a]} "$TMP/rel-$a/$link" --version 2>&1 | grep -qx "dms-postrender $version"; then
			fail "release/dockerfile-linux-$a" "the RUN step's /opt/$link does not run from $add"
		else
			pass "release/dockerfile-linux-$a (ADD $add, /opt/$link --version)"
		fi
	done

	if [ "$native" != amd64 ] && [ "$native" != arm64 ]; then
		unmet "release/same-behaviour" "this machine ($native) runs neither release natively"
	else
		for a in amd64 arm64; do
			[ "$a" = "$native" ] && continue
			if [ "${runner[$a]}" = missing ]; then
				unmet "release/linux-$a-under-qemu" "no qemu-user for linux-$a (Debian: qemu-user-static)"
				continue
			fi
			if ! run_arch "$a" "$TMP/v.out" "$TMP/v.err" --version || ! grep -qx "dms-postrender $version" "$TMP/v.out"; then
				fail "release/linux-$a-under-qemu" "--version: exit $RC: $(head -c 200 "$TMP/v.err")"
				continue
			fi
			pass "release/linux-$a-runs-under-qemu ($(grep -o '^[^ ]*' <<<"${runner[$a]}"))"
			ncase=0
			for dir in "$here"/golden/*/*/; do
				dir=${dir%/}
				name="release/linux-$a-as-linux-$native: ${dir#"$here"/golden/}"
				shared_input_missing "$name" "$dir" && continue
				args=()
				if [ -f "$dir/args" ]; then
					while IFS= read -r x || [ -n "$x" ]; do args+=("$x"); done <"$dir/args"
				fi
				why=""
				# The case, then the second pass over its output, then --format reemit.
				for step in case again reemit; do
					in="$dir/input.yaml" extra=()
					[ "$step" = again ] && in="$TMP/n.case.out"
					[ "$step" = reemit ] && extra=(--format reemit)
					run_arch "$native" "$TMP/n.$step.out" "$TMP/n.$step.err" "${args[@]}" "${extra[@]}" <"$in"
					nrc=$RC
					run_arch "$a" "$TMP/x.$step.out" "$TMP/x.$step.err" "${args[@]}" "${extra[@]}" <"$in"
					if [ "$RC" -ne "$nrc" ]; then
						why="$step: exit $RC, linux-$native $nrc"
					elif ! cmp -s "$TMP/x.$step.out" "$TMP/n.$step.out"; then
						why="$step: stdout differs: $(cmp "$TMP/x.$step.out" "$TMP/n.$step.out" 2>&1 | head -n 1)"
					elif ! cmp -s "$TMP/x.$step.err" "$TMP/n.$step.err"; then
						why="$step: stderr differs: $(diff "$TMP/n.$step.err" "$TMP/x.$step.err" | head -n 4 | tr '\n' '|')"
					fi
					[ -n "$why" ] && break
					[ "$nrc" -ne 0 ] && break
				done
				if [ -z "$why" ]; then
					pass "$name"
					ncase=$((ncase + 1))
				else
					fail "$name" "$why"
				fi
			done
			[ "$ncase" -gt 100 ] || fail "release/linux-$a-as-linux-$native" "only $ncase golden cases compared"
		done
	fi
fi
