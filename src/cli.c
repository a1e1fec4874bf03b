/* cli.c -- the command-line source of configuration: walks argv, hands every
 * option to config_set(), and prints --help/--version with checked writes.
 * It knows option names only through the table in config.c. */
#include "cli.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "diag.h"

#ifndef VERSION
#define VERSION "unknown"
#endif

static const char usage_head[] =
	"Usage: " PROG_NAME " [OPTION]... < rendered.yaml > patched.yaml\n"
	"\n"
	"A Helm post-renderer for docker-mailserver: reads a rendered multi-document\n"
	"YAML stream on stdin and writes it to stdout. Documents that no patch changes\n"
	"are copied byte for byte. Nothing is written unless the whole run succeeds.\n"
	"\n"
	"Options:\n";

static const char usage_tail[] =
	"  -h, --help                  show this help and exit\n"
	"  -V, --version               show the version and exit\n"
	"\n"
	"Exit status:\n"
	"  0 success            1 invalid input       2 usage error\n"
	"  3 bad configuration  4 patch not possible  5 I/O or memory error\n"
	"  6 empty input (no documents, as helm template sends with an output dir)\n"
	"  7 --check, --diff: a run would change or add documents\n"
	"  8 --strict: the run warned\n";

static int
print_checked(const char *text)
{
	if (fputs(text, stdout) == EOF || fflush(stdout) != 0 || ferror(stdout)) {
		diag_error("writing to stdout failed:");
		return -1;
	}
	return 0;
}

/* Print TEXT word-wrapped from column 30 to column 79; the first line
 * continues whatever was printed before it. */
static int
print_wrapped(const char *text)
{
	char line[128];
	const size_t width = 49;
	bool first = true;
	while (*text) {
		size_t n = strlen(text), cut = n;
		if (n > width) {
			cut = width;
			while (cut > 0 && text[cut] != ' ')
				cut--;
			if (cut == 0)
				cut = width;
		}
		snprintf(line, sizeof(line), "%*s%.*s\n", first ? 0 : 30, "", (int)cut, text);
		if (print_checked(line) != 0)
			return -1;
		first = false;
		text += cut;
		while (*text == ' ')
			text++;
	}
	return 0;
}

static int
print_help(void)
{
	char line[256];
	if (print_checked(usage_head) != 0)
		return -1;
	for (const struct option_spec *o = config_options(); o->name; o++) {
		char left[96];
		if (o->arg)
			snprintf(left, sizeof(left), "--%s=%s", o->name, o->arg);
		else
			snprintf(left, sizeof(left), "--%s", o->name);
		if (strlen(left) > 23)
			/* A long option and its metavariable get a line of their own. */
			snprintf(line, sizeof(line), "      %s\n%30s", left, "");
		else if (o->short_name)
			snprintf(line, sizeof(line), "  -%c, %-23s ", o->short_name, left);
		else
			snprintf(line, sizeof(line), "      %-23s ", left);
		char help[640];
		const char *needs = config_option_needs(o);
		snprintf(help, sizeof(help), "%s%s%s%s", o->help, needs ? " (needs " : "", needs ? needs : "",
			 needs ? ")" : "");
		if (print_checked(line) != 0 || print_wrapped(help) != 0)
			return -1;
	}
	return print_checked(usage_tail);
}

/* Levenshtein distance, bounded to short option names. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t row[64];
	if (la >= 63 || lb >= 63)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

const char *
cli_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 4; /* farther than three edits is no hint */
	static const char *const extra[] = {"help", "version"};
	for (const struct option_spec *o = config_options(); o->name; o++) {
		size_t d = distance(name, o->name);
		if (d < best_d || (strncmp(o->name, name, strlen(name)) == 0 && *name && d < 16)) {
			best_d = d;
			best = o->name;
		}
	}
	for (size_t i = 0; i < sizeof(extra) / sizeof(extra[0]); i++) {
		size_t d = distance(name, extra[i]);
		if (d < best_d) {
			best_d = d;
			best = extra[i];
		}
	}
	/* An old name the user was close to is the better hint. */
	for (size_t i = 0; config_alias(i); i++) {
		size_t d = distance(name, config_alias(i));
		if (d < best_d) {
			best_d = d;
			best = config_alias(i);
		}
	}
	return best;
}

static enum cli_result
unknown(const char *shown, const char *name)
{
	const char *s = name ? cli_suggest(name) : NULL;
	if (s)
		diag_error("unknown option '%s' (did you mean '--%s'?); try '" PROG_NAME " --help'",
			   shown, s);
	else
		diag_error("unknown option '%s'; try '" PROG_NAME " --help'", shown);
	return CLI_USAGE;
}

static enum cli_result
set(struct config *cfg, const struct option_spec *o, const char *value, const char *shown)
{
	char err[512];
	if (config_set(cfg, o->name, value, shown, err, sizeof(err)) != 0) {
		diag_error("%s", err);
		return CLI_CONFIG;
	}
	return CLI_RUN;
}

enum cli_result
cli_parse(int argc, char **argv, struct config *cfg)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		enum cli_result r;
		if (strcmp(a, "--") == 0) {
			if (i + 1 < argc) {
				diag_error("unexpected argument '%s': input is read from stdin only; try '" PROG_NAME " --help'",
					   argv[i + 1]);
				return CLI_USAGE;
			}
			break;
		}
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)
			return print_help() == 0 ? CLI_DONE : CLI_IO;
		if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0)
			return print_checked(PROG_NAME " " VERSION "\n") == 0 ? CLI_DONE : CLI_IO;
		if (a[0] == '-' && a[1] == '-') {
			char name[64];
			const char *eq = strchr(a + 2, '=');
			size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
			if (n >= sizeof(name))
				return unknown(a, NULL);
			memcpy(name, a + 2, n);
			name[n] = '\0';
			const struct option_spec *o = config_find(name);
			if (!o)
				return unknown(a, name);
			const char *value = eq ? eq + 1 : NULL;
			if (o->kind != OPT_FLAG && !value) {
				if (i + 1 >= argc) {
					diag_error("option '--%s' needs a value (%s); try '" PROG_NAME " --help'",
						   o->name, o->arg);
					return CLI_USAGE;
				}
				value = argv[++i];
			}
			/* Messages name the option as it was typed (an alias too). */
			char shown[80];
			snprintf(shown, sizeof(shown), "--%s", name);
			if ((r = set(cfg, o, value, shown)) != CLI_RUN)
				return r;
			continue;
		}
		if (a[0] == '-' && a[1] != '\0') {
			/* Short flags, possibly bundled: -vv, -vh, -vV. */
			for (const char *p = a + 1; *p; p++) {
				const struct option_spec *o = NULL;
				if (*p == 'h')
					return print_help() == 0 ? CLI_DONE : CLI_IO;
				if (*p == 'V')
					return print_checked(PROG_NAME " " VERSION "\n") == 0 ? CLI_DONE : CLI_IO;
				for (const struct option_spec *s = config_options(); s->name; s++)
					if (s->short_name == *p)
						o = s;
				if (!o || o->kind != OPT_FLAG) {
					char shown[3] = {'-', *p, '\0'};
					return unknown(shown, NULL);
				}
				if ((r = set(cfg, o, NULL, a)) != CLI_RUN)
					return r;
			}
			continue;
		}
		diag_error("unexpected argument '%s': input is read from stdin only; try '" PROG_NAME " --help'", a);
		return CLI_USAGE;
	}
	return CLI_RUN;
}
