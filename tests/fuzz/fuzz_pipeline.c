/* fuzz_pipeline.c -- libFuzzer harness over the whole pipeline (split,
 * parse, match, patch, emit, spool) with options chosen by the first two
 * bytes of the input (PROXY protocol among them). It checks what the program promises, not only that
 * it does not crash:
 *   - a run that fails reported an error (exactly the state main() turns
 *     into a non-zero exit and an empty stdout);
 *   - a run that succeeds produced output that a second run, with the same
 *     options, accepts and leaves byte for byte unchanged (which also means
 *     the output parses);
 *   - the minimal-diff writer never produced a text that read back
 *     differently from the patched tree (splice.c checks every splice; a
 *     failed check is a bug even though the run then re-emits).
 * Build and run with `make fuzz`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "diag.h"
#include "pipeline.h"
#include "splice.h"
#include "spool.h"
#include "report.h"
#include "stream.h"

/* With FUZZ_SHOW_ARGS in the environment, each option is also printed as
 * the command-line argument that sets it, so that a finding can be replayed
 * with the binary: FUZZ_SHOW_ARGS=1 build-fuzz/fuzz_pipeline ARTIFACT prints
 * the arguments; the stream is the artifact from its third byte on. */
static void
set(struct config *cfg, const char *name, const char *value)
{
	char err[256];
	static int show = -1;
	if (show < 0)
		show = getenv("FUZZ_SHOW_ARGS") != NULL;
	if (show)
		fprintf(stderr, "--%s%s%s\n", name, value ? "=" : "", value ? value : "");
	if (config_set(cfg, name, value, name, err, sizeof(err)) != 0) {
		fprintf(stderr, "fuzz: bad harness option %s=%s: %s\n", name, value, err);
		abort();
	}
}

static void
options(struct config *cfg, uint8_t a, uint8_t b)
{
	static const char *const f2b[] = {"auto", "on", "off"};
	static const char *const aa[] = {"auto", "annotation", "field", "both", "off"};
	static const char *const tp[] = {"local", "cluster", "keep"};
	static const char *const ma[] = {"new", "legacy", "both"};
	static const char *const kv[] = {"1.29", "1.30.2", "1.35"};
	set(cfg, "fail2ban", f2b[a % 3]);
	set(cfg, "apparmor", aa[(a / 3) % 5]);
	set(cfg, "traffic-policy", tp[(a / 15) % 3]);
	set(cfg, "metallb-annotations", ma[(a / 45) % 3]);
	if (a & 0x80)
		set(cfg, "kube-version", kv[(a >> 5) % 3]);
	/* Values of a past the 135 combinations above switch PROXY on. */
	if (a >= 135) {
		static const char *const ingress[] = {"none", "traefik", "nginx", "gateway"};
		const char *in = ingress[(a >> 3) % 4];
		set(cfg, "proxy-protocol", a & 0x40 ? "only" : "separate");
		set(cfg, "trusted-networks", "10.42.0.0/16,2001:db8::/48");
		set(cfg, "proxy-ingress", in);
		set(cfg, "namespace", "mail");
		if (a & 0x20)
			set(cfg, "proxy-network-policy", NULL);
		if (!strcmp(in, "gateway"))
			set(cfg, "gateway", "gw/mail");
		if (!strcmp(in, "traefik") && (a & 0x04))
			set(cfg, "traefik-proxy-protocol", "inline");
		/* split needs separate (the option check refuses it with only). */
		if (!(a & 0x40) && (a & 0x02))
			set(cfg, "proxy-service", "split");
	} else if (a & 0x40) {
		/* The other load balancers (their option checks are lb.c's, run
		 * by main before a pipeline starts: a pool is only generated). */
		set(cfg, "load-balancer", a & 0x01 ? "cilium" : "kube-vip");
		set(cfg, "namespace", "mail");
	}
	/* DMS 16's capability set and dms-healthcheck probes. */
	if (a < 135 && (a & 0x20)) {
		set(cfg, "dms-version", "16");
		set(cfg, "probes", "healthcheck");
	}
	/* Byte b: one option per bit (value NULL: a flag). */
	static const struct {
		const char *name, *value;
	} bits[] = {
		{"metallb-pool", "mail"},         {"metallb-ip", "192.0.2.10,2001:db8::10"},
		{"host-network", NULL},           {"metallb-emit-pool", "192.0.2.0/28"},
		{"external-ip", "198.51.100.7"},  {"service", "mail"},
		{"container", "mail"},            {"allow-empty", NULL},
	};
	for (unsigned i = 0; i < 8; i++)
		/* The generated pool needs its name (bit 0). */
		if ((b >> i & 1) && (i != 3 || (b & 1)))
			set(cfg, bits[i].name, bits[i].value);
	/* The report object, whose second run must keep it byte for byte. */
	if ((a & 0x18) == 0x18)
		set(cfg, "report-object", NULL);
	set(cfg, "max-document-size", "1M");
}

static unsigned long mismatches_seen;

/* Run DATA through the pipeline; on success return the output (caller
 * frees) and its length in *len; on failure return NULL. */
static char *
run(const struct config *cfg, const char *data, size_t n, size_t *len, enum exit_code *status)
{
	struct stream in;
	struct spool out;
	struct run_stats st;
	char *text = NULL;

	diag_reset();
	setenv("DMSPR_FULL_READBACK", "1", 1); /* the whole read-back checks the part-wise one */
	stream_init_mem(&in, data, n, cfg->max_document_size);
	spool_init(&out, 64 * 1024);
	if (cfg->report_object) {
		/* As main() does: the report object reads what report.c collects. */
		report_collect();
		diag_set_listener(report_message);
	}
	*status = pipeline_run(cfg, &in, &out, &st); /* frees IN once read */
	report_stop();
	diag_set_listener(NULL);
	/* The counter only grows; check it per run, so that the input that
	 * caused a failed splice check is the one reported. */
	if (splice_mismatches() != mismatches_seen) {
		fprintf(stderr, "fuzz: a spliced document did not read back as the patched tree\n");
		abort();
	}
	if (*status == EXIT_OK) {
		FILE *f = tmpfile();
		if (!f || spool_commit(&out, fileno(f)) != 0)
			abort();
		long size = lseek(fileno(f), 0, SEEK_END);
		text = malloc((size_t)size + 1);
		if (!text || pread(fileno(f), text, (size_t)size, 0) != size)
			abort();
		*len = (size_t)size;
		fclose(f);
	}
	spool_free(&out);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *quiet;
	struct config cfg;
	enum exit_code status, status2;
	size_t len, len2;

	if (size < 2)
		return 0;
	if (!quiet)
		quiet = fopen("/dev/null", "w");
	diag_set_output(quiet);
	config_init(&cfg);
	options(&cfg, data[0], data[1]);
	char *first = run(&cfg, (const char *)data + 2, size - 2, &len, &status);
	if (!first) {
		/* A failed run must have said why (main() prints it, exits
		 * non-zero and writes nothing to stdout). */
		if (status == EXIT_OK || !diag_failed())
			abort();
	} else {
		char *second = run(&cfg, first, len, &len2, &status2);
		if (!second) {
			fprintf(stderr, "fuzz: the output of a successful run fails a second run (exit %d)\n", status2);
			abort();
		}
		if (len2 != len || memcmp(first, second, len) != 0) {
			fprintf(stderr, "fuzz: a second run changed the output\n");
			abort();
		}
		free(second);
		free(first);
	}
	config_free(&cfg);
	return 0;
}
