/* config.h -- the effective configuration and the table of named options that
 * every source (command line now; config file and Argo CD parameters later)
 * sets through config_set(). It validates values; it reads no files and
 * parses no argv. */
#ifndef DMSPR_CONFIG_H
#define DMSPR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_DEFAULT_MAX_DOCUMENT ((size_t)64 * 1024 * 1024)

struct config {
	bool verbose;
	bool allow_empty;
	size_t max_document_size; /* bytes in one document, header included */
};

enum option_kind {
	OPT_FLAG, /* boolean; on the command line takes no value */
	OPT_SIZE, /* byte count with optional K, M or G suffix (powers of 1024) */
};

struct option_spec {
	const char *name;  /* long option name, also the key in every source */
	char short_name;   /* 0 when there is none */
	enum option_kind kind;
	const char *arg;   /* metavariable for --help, NULL for flags */
	const char *help;  /* one line for --help */
	size_t offset;     /* where the value lives in struct config */
};

/* Fill cfg with the built-in defaults. */
void config_init(struct config *cfg);

/* The option table, ended by an entry whose name is NULL. */
const struct option_spec *config_options(void);

/* Find an option by long name; NULL when unknown. */
const struct option_spec *config_find(const char *name);

/* Set option NAME from text VALUE (NULL for a flag given without a value;
 * "true"/"false" also accepted for flags). ORIGIN names the source for
 * messages, e.g. "--max-document-size". Returns 0, or -1 after writing a
 * one-line reason (without program prefix) into err. */
int config_set(struct config *cfg, const char *name, const char *value, const char *origin,
	       char *err, size_t errlen);

/* Parse "123", "64K", "16M", "1G" into bytes. Returns 0 or -1. */
int config_parse_size(const char *text, size_t *out);

#endif
