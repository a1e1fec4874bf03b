/* config.c -- defaults, the option table and value validation for the
 * effective configuration. Sources (argv in cli.c) call config_set(); this
 * file never looks at where a value came from beyond naming it in errors. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AT(field) offsetof(struct config, field)

static const struct option_spec options[] = {
	{"verbose", 'v', OPT_FLAG, NULL, "report on stderr what was read and changed", AT(verbose)},
	{"allow-empty", 0, OPT_FLAG, NULL,
	 "accept an input with no documents and pass it through (default: exit 6)", AT(allow_empty)},
	{"max-document-size", 0, OPT_SIZE, "BYTES",
	 "largest single document accepted, e.g. 64M (default 64M)", AT(max_document_size)},
	{NULL, 0, OPT_FLAG, NULL, NULL, 0},
};

void
config_init(struct config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_document_size = CONFIG_DEFAULT_MAX_DOCUMENT;
}

const struct option_spec *
config_options(void)
{
	return options;
}

const struct option_spec *
config_find(const char *name)
{
	for (const struct option_spec *o = options; o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

int
config_parse_size(const char *text, size_t *out)
{
	char *end;
	if (!text || !*text || *text == '-' || *text == '+')
		return -1;
	errno = 0;
	unsigned long long v = strtoull(text, &end, 10);
	if (errno || end == text)
		return -1;
	unsigned long long mul = 1;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': mul = 1024ull; break;
		case 'm': case 'M': mul = 1024ull * 1024; break;
		case 'g': case 'G': mul = 1024ull * 1024 * 1024; break;
		default: return -1;
		}
		end++;
		/* Accept "64M", "64MB" and "64MiB". */
		if (strcmp(end, "") != 0 && strcmp(end, "B") != 0 && strcmp(end, "iB") != 0)
			return -1;
	}
	if (v == 0 || v > SIZE_MAX / mul)
		return -1;
	*out = (size_t)(v * mul);
	return 0;
}

static int
parse_bool(const char *value, bool *out)
{
	if (!value || strcmp(value, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(value, "false") == 0) {
		*out = false;
		return 0;
	}
	return -1;
}

int
config_set(struct config *cfg, const char *name, const char *value, const char *origin,
	   char *err, size_t errlen)
{
	const struct option_spec *o = config_find(name);
	if (!o) {
		snprintf(err, errlen, "%s: unknown option", origin);
		return -1;
	}
	if (o->kind == OPT_FLAG) {
		bool b;
		if (parse_bool(value, &b) != 0) {
			snprintf(err, errlen, "%s: expected true or false, got '%s'", origin, value);
			return -1;
		}
		*(bool *)((char *)cfg + o->offset) = b;
		return 0;
	}
	/* OPT_SIZE */
	size_t n;
	if (!value || config_parse_size(value, &n) != 0) {
		snprintf(err, errlen, "%s: expected a positive byte count such as 1048576, 512K or 64M, got '%s'",
			 origin, value ? value : "");
		return -1;
	}
	*(size_t *)((char *)cfg + o->offset) = n;
	return 0;
}
