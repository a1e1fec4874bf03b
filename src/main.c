/* main.c -- parse options, run the pipeline from stdin into the spool, and
 * only when everything succeeded copy the spool to stdout and check that it
 * really got there. The only place that chooses the exit status. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "diag.h"
#include "diff.h"
#include "kemit.h"
#include "lb.h"
#include "pipeline.h"
#include "psa.h"
#include "report.h"
#include "sources.h"
#include "spool.h"
#include "stream.h"

/* The sources other than argv, each below the command line: Argo CD's
 * parameters, then the --config file, then the environment: KUBE_VERSION
 * (Argo CD sets it, "1.30.2", empty when unknown), the release namespace and
 * under Argo CD the report object; then the checks across options. */
static enum exit_code
read_sources(struct config *cfg)
{
	const char *argo = getenv("ARGOCD_APP_PARAMETERS");
	const char *kv = getenv("KUBE_VERSION");
	/* Argo CD drops the stderr of a generate step that succeeds: there the
	 * report object is on unless a parameter or the config file says no. */
	const char *app = getenv("ARGOCD_APP_NAME");
	/* The release namespace: Argo CD's destination, else Helm's default
	 * (helm reads HELM_NAMESPACE too; its -n flag reaches no post-renderer). */
	const char *ns_var = NULL, *ns = NULL, *argo_ns = getenv("ARGOCD_APP_NAMESPACE"), *helm_ns = getenv("HELM_NAMESPACE");
	if (argo_ns && *argo_ns)
		ns_var = "ARGOCD_APP_NAMESPACE", ns = argo_ns;
	else if (helm_ns && *helm_ns)
		ns_var = "HELM_NAMESPACE", ns = helm_ns;
	char err[1024];
	if ((argo && *argo && sources_read_argo(cfg, argo, err, sizeof(err)) != 0) ||
	    (cfg->config_file && sources_read_config_file(cfg, cfg->config_file, err, sizeof(err)) != 0) ||
	    (kv && *kv && config_set_from(cfg, SRC_ENV, "kube-version", kv, "KUBE_VERSION", err, sizeof(err)) != 0) ||
	    (ns && config_set_from(cfg, SRC_ENV, "namespace", ns, ns_var, err, sizeof(err)) != 0) ||
	    (app && *app && config_set_from(cfg, SRC_ENV, "report-object", "true", "ARGOCD_APP_NAME", err, sizeof(err)) != 0) ||
	    config_check_combination(cfg, err, sizeof(err)) != 0 || lb_check_config(cfg, err, sizeof(err)) != 0) {
		diag_error("%s", err);
		return EXIT_CONFIG;
	}
	return EXIT_OK;
}

/* mkdir -p DIR (modified in place and restored); false on failure. */
static bool
make_dirs(char *dir)
{
	for (char *p = dir + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		bool ok = mkdir(dir, 0700) == 0 || errno == EEXIST;
		*p = c;
		if (!ok)
			return false;
		if (!c)
			return true;
	}
}

/* True when the parent process is a program named helm* (Helm 3 runs a
 * --post-renderer path directly; helmfile runs helm, which runs us). Read
 * from /proc; anywhere else, false. */
static bool
parent_is_helm(void)
{
	char link[64], exe[4096];
	snprintf(link, sizeof(link), "/proc/%ld/exe", (long)getppid());
	ssize_t n = readlink(link, exe, sizeof(exe) - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	const char *base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	return strncmp(base, "helm", 4) == 0;
}

/* Helm 4 runs us as a plugin (HELM_PLUGIN_NAME is set) and throws our
 * stderr away, reporting only "exited with error" (not even under --debug:
 * internal/plugin/runtime_subprocess.go); Helm 3 shows our stderr only when
 * we fail, so the warnings of a run that succeeds are lost. Under either,
 * errors and warnings also go to $XDG_STATE_HOME/dms-postrender/messages.log
 * (default ~/.local/state/...) and to Helm's own stderr, read from /proc
 * (a terminal, or the log of a CI job that has none): all of them under
 * Helm 4, the warnings of a successful run under Helm 3. */
static void
helm_messages(void)
{
	const char *plugin = getenv("HELM_PLUGIN_NAME");
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	enum diag_client when = plugin && *plugin ? DIAG_CLIENT_ALL
				: parent_is_helm()  ? DIAG_CLIENT_ON_SUCCESS
						    : DIAG_CLIENT_NONE;
	char path[4096];
	long client = (long)getppid();
	if (when == DIAG_CLIENT_NONE)
		return;
	if (state && *state == '/')
		snprintf(path, sizeof(path), "%s/" PROG_NAME, state);
	else if (home && *home == '/')
		snprintf(path, sizeof(path), "%s/.local/state/" PROG_NAME, home);
	else
		path[0] = '\0';
	/* A directory that cannot be made only means no log. */
	if (path[0] && make_dirs(path)) {
		size_t n = strlen(path);
		snprintf(path + n, sizeof(path) - n, "/messages.log");
		diag_mirror(path, client, when);
	} else {
		diag_mirror(NULL, client, when);
	}
}

/* --diff and --emit read the input twice: once through the run, once against
 * what the run would write. Copy stdin into an unlinked temporary file; -1 after
 * reporting an error. */
static int
copy_stdin(void)
{
	int fd = temp_file("a copy of the input");
	char block[65536];
	for (ssize_t n; fd >= 0;) {
		n = read(STDIN_FILENO, block, sizeof(block));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && write_all(fd, block, (size_t)n) != 0)) {
			diag_error(n < 0 ? "reading stdin failed:" : "writing a copy of the input failed:");
			close(fd);
			return -1;
		}
		if (n == 0)
			return lseek(fd, 0, SEEK_SET) == 0 ? fd : (close(fd), -1);
	}
	return -1;
}

/* The run's output (OUT) committed to a temporary file for WHAT to read
 * again; -1 after reporting an error. */
static int
output_file(struct spool *out, const char *what)
{
	int fd = temp_file(what);
	if (fd >= 0 && spool_commit(out, fd) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* --diff: the diff of the input (IN_COPY) and the run's output (OUT) on
 * stdout; exit 0 when nothing would change, 7 otherwise. */
static enum exit_code
write_diff(const struct config *cfg, int in_copy, struct spool *out)
{
	int patched = output_file(out, "--diff");
	if (patched < 0)
		return EXIT_IO;
	/* The diff goes to a file first: its header (each docker-mailserver
	 * pod's Pod Security level, as comment lines before the first section,
	 * which patch and git apply pass over) only when something changes. */
	int body = temp_file("--diff");
	long n = body < 0 ? -1 : diff_streams(in_copy, patched, cfg->max_document_size, body);
	close(patched);
	if (n > 0) {
		for (size_t i = 0; psa_log_line(i); i++)
			dprintf(STDOUT_FILENO, "# %s\n", psa_log_line(i));
		char chunk[65536];
		ssize_t got;
		if (lseek(body, 0, SEEK_SET) != 0)
			n = -1;
		while (n > 0 && (got = read(body, chunk, sizeof(chunk))) > 0)
			if (write_all(STDOUT_FILENO, chunk, (size_t)got) != 0)
				n = -1;
	}
	if (body >= 0)
		close(body);
	psa_log_free();
	if (n < 0)
		return EXIT_IO;
	if (n == 0)
		diag_note("--diff: nothing would change");
	return n ? EXIT_CHECK : EXIT_OK;
}

/* --emit: kustomize input for what turned the input (IN_COPY) into the
 * run's output (OUT). */
static enum exit_code
write_emit(const struct config *cfg, int in_copy, struct spool *out)
{
	int patched = output_file(out, "--emit");
	if (patched < 0)
		return EXIT_IO;
	enum exit_code status = kemit_write(cfg, in_copy, patched);
	close(patched);
	return status;
}

static enum exit_code
run(struct config *cfg)
{
	struct stream in;
	struct spool out;
	struct run_stats st;
	enum exit_code status;

	if (isatty(STDIN_FILENO)) {
		diag_error("stdin is a terminal; pipe a rendered stream in, e.g. "
			   "'helm template ... | " PROG_NAME "'; try '" PROG_NAME " --help'");
		return EXIT_USAGE;
	}
	/* A closed reader must give EPIPE and a message, not a silent death;
	 * so must a file size limit (ulimit -f): EFBIG instead of SIGXFSZ. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGXFSZ, SIG_IGN);

	int in_copy = -1;
	if (cfg->diff || cfg->emit != EMIT_STREAM) {
		/* Its output is a diff or kustomize input, not a stream: a client
		 * would apply it. */
		const char *plugin = getenv("HELM_PLUGIN_NAME");
		const char *what = cfg->diff ? "--diff writes a diff" : "--emit writes kustomize input";
		const char *opt = cfg->diff ? "--diff" : cfg->emit == EMIT_FLUX ? "--emit=flux" : "--emit=kustomize";
		if ((plugin && *plugin) || parent_is_helm()) {
			diag_error("%s, not a stream, and Helm would apply it as the release; run it in a pipe instead: "
				   "helm template ... | " PROG_NAME " %s", what, opt);
			return EXIT_USAGE;
		}
		if ((in_copy = copy_stdin()) < 0)
			return EXIT_IO;
	}
	stream_init_fd(&in, in_copy >= 0 ? in_copy : STDIN_FILENO, cfg->max_document_size);
	spool_init(&out, SPOOL_DEFAULT_MEMORY);
	memset(&st, 0, sizeof(st));
	status = pipeline_run(cfg, &in, &out, &st); /* frees IN once read */
	if (status == EXIT_OK)
		report_counts(st.documents, st.objects, st.changed, st.generated);
	/* --strict: a warning is a failure, and its output would be applied. */
	size_t warned = diag_warnings();
	if (status == EXIT_OK && cfg->strict && warned) {
		diag_error("--strict: %zu warning%s above; nothing was written (fix what %s, or drop --strict)", warned,
			   warned == 1 ? "" : "s", warned == 1 ? "it says" : "they say");
		status = EXIT_STRICT;
	}
	/* Never an empty stream for documents read: a client would apply it
	 * and delete the release. Nothing should lead here; this is the last
	 * line of defence. */
	if (status == EXIT_OK && (cfg->diff || cfg->emit != EMIT_STREAM)) {
		status = cfg->diff ? write_diff(cfg, in_copy, &out) : write_emit(cfg, in_copy, &out);
		close(in_copy);
		spool_free(&out);
		if (close(STDOUT_FILENO) != 0 && status != EXIT_IO) {
			diag_error("closing stdout failed:");
			status = EXIT_IO;
		}
		return status;
	}
	if (in_copy >= 0)
		close(in_copy);
	if (status == EXIT_OK && st.documents > st.empty && spool_last_byte(&out) < 0) {
		diag_error("internal error: the run read %zu documents but would write an empty stream; "
			   "nothing was written", st.documents - st.empty);
		status = EXIT_IO;
	}
	if (status == EXIT_OK && cfg->check && (st.changed || st.generated)) {
		diag_warn("--check: %zu document%s would change and %zu would be added; run without "
			  "--check (add --verbose to see each change)", st.changed, st.changed == 1 ? "" : "s",
			  st.generated);
		status = EXIT_CHECK;
	}
	/* Under --check with nothing to change, the output is the input byte
	 * for byte: writing it means a client that applies what --check
	 * printed (Helm's --post-renderer-args) gets its release back, never
	 * an empty one. */
	if (status == EXIT_OK && spool_commit(&out, STDOUT_FILENO) != 0)
		status = EXIT_IO;
	spool_free(&out);
	/* close() reports what earlier writes could not, e.g. on NFS. */
	if (close(STDOUT_FILENO) != 0 && status == EXIT_OK) {
		diag_error("closing stdout failed:");
		status = EXIT_IO;
	}
	return status;
}

/* A run that names --report and fails before it could start one (a usage
 * or configuration error) still leaves a report of this run, so that an
 * older one saying "ok" never stands in for it. */
static void
report_early_failure(const struct config *cfg, enum exit_code status)
{
	if (!cfg->report || report_active() || report_start(cfg->report) != 0)
		return;
	if (diag_first_error())
		report_message(true, diag_first_error(), NULL);
	if (report_write((int)status, cfg->check) != 0) {
		/* Nowhere to say more: the error line is already out. */
	}
}

int
main(int argc, char **argv)
{
	struct config cfg;
	enum exit_code status;

	config_init(&cfg);
	helm_messages();
	switch (cli_parse(argc, argv, &cfg)) {
	case CLI_RUN:
		status = read_sources(&cfg);
		if (status != EXIT_OK) {
			report_early_failure(&cfg, status);
		} else if (cfg.print_config) {
			if (config_print(&cfg, stdout, false) != 0 || fclose(stdout) != 0) {
				diag_error("writing to stdout failed:");
				status = EXIT_IO;
			}
		} else if (status == EXIT_OK) {
			diag_set_verbose(cfg.verbose);
			if (cfg.report && report_start(cfg.report) != 0) {
				diag_error("--report %s: cannot create the report:", cfg.report);
				status = EXIT_IO;
			} else {
				if (cfg.report_object)
					report_collect();
				if (cfg.report || cfg.report_object)
					diag_set_listener(report_message);
				status = run(&cfg);
			}
			if (cfg.report && report_active() && report_write((int)status, cfg.check) != 0) {
				diag_error("--report %s: writing the report failed:", cfg.report);
				if (status == EXIT_OK || status == EXIT_CHECK)
					status = EXIT_IO;
			}
			report_stop();
		}
		break;
	case CLI_DONE: status = fclose(stdout) == 0 ? EXIT_OK : EXIT_IO; break;
	case CLI_USAGE:
		status = EXIT_USAGE;
		report_early_failure(&cfg, status);
		break;
	case CLI_CONFIG:
		status = EXIT_CONFIG;
		report_early_failure(&cfg, status);
		break;
	default: status = EXIT_IO; break;
	}
	diag_finish((int)status);
	config_free(&cfg);
	return (int)status;
}
