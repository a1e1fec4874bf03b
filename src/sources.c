/* sources.c -- reads the config file and Argo CD's parameters into the
 * configuration through config_set_from(), checking the shape of every
 * entry (a scalar, or a sequence of scalars for list options) before its
 * value. It decides no precedence (config.c does) and reads no stream. */
#include "sources.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "cli.h"
#include "diag.h"
#include "util.h"

static bool
is_list(const struct option_spec *o)
{
	return o->kind == OPT_LIST || o->kind == OPT_CSV;
}

/* What a value of option O must look like, for messages. */
static const char *
expected(const struct option_spec *o, char *buf, size_t len)
{
	switch (o->kind) {
	case OPT_FLAG: snprintf(buf, len, "true or false"); break;
	case OPT_LIST:
	case OPT_CSV: snprintf(buf, len, "a %s or a list of them", o->arg); break;
	default: snprintf(buf, len, "one %s", o->arg); break;
	}
	return buf;
}

/* The option named KEY, or NULL after writing "WHERE: unknown option ..." */
static const struct option_spec *
find(const char *key, const char *where, const char *what, char *err, size_t errlen)
{
	const struct option_spec *o = config_find(key);
	if (o)
		return o;
	const char *s = cli_suggest(key);
	if (s && config_find(s))
		snprintf(err, errlen, "%s: unknown %s '%.64s' (did you mean '%s'?); %ss are the long option names "
			 "of '" PROG_NAME " --help'", where, what, key, s, what);
	else
		snprintf(err, errlen, "%s: unknown %s '%.64s'; %ss are the long option names of '" PROG_NAME
			 " --help'", where, what, key, what);
	return NULL;
}

/* ---- the config file ---- */

static const char *
scalar(yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

static bool
plain_null(yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;
	return n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
	       (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") || !strcmp(v, "NULL"));
}

/* One key: value pair of the file. */
static int
file_entry(struct config *cfg, const char *name, yaml_document_t *y, yaml_node_t *k, yaml_node_t *v, char *err,
	   size_t errlen)
{
	char where[512], origin[640], exp[160];
	snprintf(where, sizeof(where), "%s:%lu", name, (unsigned long)k->start_mark.line + 1);
	if (k->type != YAML_SCALAR_NODE) {
		snprintf(err, errlen, "%s: a key must be an option name, not a %s", where,
			 k->type == YAML_MAPPING_NODE ? "mapping" : "sequence");
		return -1;
	}
	const char *key = scalar(k);
	const struct option_spec *o = find(key, where, "key", err, errlen);
	if (!o)
		return -1;
	snprintf(where, sizeof(where), "%s:%lu", name, (unsigned long)v->start_mark.line + 1);
	snprintf(origin, sizeof(origin), "%s: %s", where, key);
	if (config_cli_only(o)) {
		snprintf(err, errlen, "%s: '%s' can only be given on the command line", where, key);
		return -1;
	}
	/* null (what --print-config writes for an unset value) sets nothing. */
	if (v->type == YAML_SCALAR_NODE && plain_null(v))
		return 0;
	if (v->type == YAML_MAPPING_NODE || (v->type == YAML_SEQUENCE_NODE && !is_list(o))) {
		snprintf(err, errlen, "%s: expected %s, got %s", origin, expected(o, exp, sizeof(exp)),
			 v->type == YAML_MAPPING_NODE ? "a mapping" : "a list");
		return -1;
	}
	if (o->kind == OPT_FLAG && v->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		snprintf(err, errlen, "%s: expected true or false (unquoted), got the string \"%.64s\"", origin,
			 scalar(v));
		return -1;
	}
	if (v->type == YAML_SCALAR_NODE) {
		if (is_list(o))
			config_list_begin(cfg, SRC_FILE, o->name);
		return config_set_from(cfg, SRC_FILE, o->name, scalar(v), origin, err, errlen);
	}
	config_list_begin(cfg, SRC_FILE, o->name);
	for (yaml_node_item_t *i = v->data.sequence.items.start; i < v->data.sequence.items.top; i++) {
		yaml_node_t *item = yaml_document_get_node(y, *i);
		if (item->type != YAML_SCALAR_NODE || plain_null(item)) {
			snprintf(err, errlen, "%s:%lu: %s: each list item must be one %s", name,
				 (unsigned long)item->start_mark.line + 1, o->name, o->arg);
			return -1;
		}
		if (config_set_from(cfg, SRC_FILE, o->name, scalar(item), origin, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int
sources_read_config_text(struct config *cfg, const char *name, const char *text, size_t len, char *err,
			 size_t errlen)
{
	yaml_parser_t p;
	yaml_document_t y, more;
	int rc = 0;

	if (!yaml_parser_initialize(&p)) {
		snprintf(err, errlen, "%s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&p, (const unsigned char *)text, len);
	if (!yaml_parser_load(&p, &y)) {
		snprintf(err, errlen, "%s:%lu:%lu: not valid YAML or JSON: %s", name, (unsigned long)p.problem_mark.line + 1,
			 (unsigned long)p.problem_mark.column + 1, p.problem ? p.problem : "parse error");
		yaml_parser_delete(&p);
		return -1;
	}
	yaml_node_t *root = yaml_document_get_root_node(&y);
	if (root && yaml_parser_load(&p, &more)) {
		if (yaml_document_get_root_node(&more)) {
			snprintf(err, errlen, "%s:%lu: a config file holds one document; found a second one", name,
				 (unsigned long)more.start_mark.line + 1);
			rc = -1;
		}
		yaml_document_delete(&more);
	} else if (root) {
		snprintf(err, errlen, "%s:%lu:%lu: not valid YAML or JSON: %s", name, (unsigned long)p.problem_mark.line + 1,
			 (unsigned long)p.problem_mark.column + 1, p.problem ? p.problem : "parse error");
		rc = -1;
	}
	/* An empty file (no document, or only comments) sets nothing. */
	if (rc == 0 && root && !(root->type == YAML_SCALAR_NODE && plain_null(root))) {
		if (root->type != YAML_MAPPING_NODE) {
			snprintf(err, errlen, "%s:%lu: expected a mapping of option names to values, e.g. "
				 "'fail2ban: on'", name, (unsigned long)root->start_mark.line + 1);
			rc = -1;
		}
		for (yaml_node_pair_t *pr = root->type == YAML_MAPPING_NODE ? root->data.mapping.pairs.start : NULL;
		     rc == 0 && pr && pr < root->data.mapping.pairs.top; pr++) {
			yaml_node_t *k = yaml_document_get_node(&y, pr->key);
			/* A key given twice is an error, as in Kubernetes' strict decoding. */
			for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < pr; q++) {
				yaml_node_t *qk = yaml_document_get_node(&y, q->key);
				if (k->type == YAML_SCALAR_NODE && qk->type == YAML_SCALAR_NODE &&
				    !strcmp(scalar(k), scalar(qk))) {
					snprintf(err, errlen, "%s:%lu: key '%.64s' given twice (first on line %lu)", name,
						 (unsigned long)k->start_mark.line + 1, scalar(k),
						 (unsigned long)qk->start_mark.line + 1);
					rc = -1;
					break;
				}
			}
			if (rc == 0)
				rc = file_entry(cfg, name, &y, k, yaml_document_get_node(&y, pr->value), err, errlen);
		}
	}
	yaml_document_delete(&y);
	yaml_parser_delete(&p);
	return rc;
}

int
sources_read_config_file(struct config *cfg, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	struct buf b = {0};
	char chunk[8192];
	size_t n;
	if (!f) {
		snprintf(err, errlen, "--config %s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len <= SOURCES_MAX_FILE)
		buf_add(&b, chunk, n);
	int bad = ferror(f), saved = errno;
	fclose(f);
	if (bad) {
		snprintf(err, errlen, "--config %s: cannot read: %s", path, strerror(saved));
		buf_free(&b);
		return -1;
	}
	if (b.len > SOURCES_MAX_FILE) {
		snprintf(err, errlen, "--config %s: larger than %zu KiB; is this the right file?", path,
			 SOURCES_MAX_FILE / 1024);
		buf_free(&b);
		return -1;
	}
	int rc = sources_read_config_text(cfg, path, b.data ? b.data : "", b.len, err, errlen);
	buf_free(&b);
	return rc;
}

/* ---- Argo CD parameters ---- */

/* Line and column of POS in TEXT, for JSON errors. */
static void
position(const char *text, const char *pos, unsigned long *line, unsigned long *col)
{
	*line = 1;
	*col = 1;
	for (const char *p = text; pos && p < pos && *p; p++) {
		if (*p == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static int
argo_param(struct config *cfg, const cJSON *p, size_t index, char *err, size_t errlen)
{
	static const char src[] = "ARGOCD_APP_PARAMETERS";
	char where[256], exp[160];
	const cJSON *name = cJSON_GetObjectItemCaseSensitive(p, "name");
	if (!cJSON_IsObject(p) || !cJSON_IsString(name)) {
		snprintf(err, errlen, "%s: item %zu: expected an object with a string \"name\"", src, index + 1);
		return -1;
	}
	snprintf(where, sizeof(where), "%s: parameter '%.64s'", src, name->valuestring);
	const struct option_spec *o = find(name->valuestring, src, "parameter", err, errlen);
	if (!o)
		return -1;
	if (config_cli_only(o)) {
		snprintf(err, errlen, "%s can only be given on the command line", where);
		return -1;
	}
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(p, "string");
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(p, "array");
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(p, "map");
	if (m || (a && !is_list(o)) || (!s && !a) || (s && !cJSON_IsString(s)) || (a && !cJSON_IsArray(a))) {
		snprintf(err, errlen, "%s: expected %s as \"string\"%s", where, expected(o, exp, sizeof(exp)),
			 is_list(o) ? " or \"array\"" : "");
		return -1;
	}
	if (s) {
		/* A form field left blank arrives as "": it sets nothing. */
		if (!*s->valuestring)
			return 0;
		if (is_list(o))
			config_list_begin(cfg, SRC_ARGO, o->name);
		return config_set_from(cfg, SRC_ARGO, o->name, s->valuestring, where, err, errlen);
	}
	config_list_begin(cfg, SRC_ARGO, o->name);
	const cJSON *item;
	cJSON_ArrayForEach(item, a) {
		if (!cJSON_IsString(item) || !*item->valuestring) {
			snprintf(err, errlen, "%s: each array item must be a non-empty string (%s)", where, o->arg);
			return -1;
		}
		if (config_set_from(cfg, SRC_ARGO, o->name, item->valuestring, where, err, errlen) != 0)
			return -1;
	}
	return 0;
}

int
sources_read_argo(struct config *cfg, const char *json, char *err, size_t errlen)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(json, &end, true);
	if (!root) {
		unsigned long line, col;
		position(json, end ? end : cJSON_GetErrorPtr(), &line, &col);
		snprintf(err, errlen, "ARGOCD_APP_PARAMETERS:%lu:%lu: not valid JSON", line, col);
		return -1;
	}
	int rc = 0;
	if (!cJSON_IsArray(root)) {
		snprintf(err, errlen, "ARGOCD_APP_PARAMETERS: expected a JSON array of {\"name\": ..., \"string\": ...}");
		rc = -1;
	}
	size_t i = 0;
	const cJSON *p;
	if (rc == 0)
		cJSON_ArrayForEach(p, root) {
			if ((rc = argo_param(cfg, p, i++, err, errlen)) != 0)
				break;
		}
	cJSON_Delete(root);
	return rc;
}
