/* sources.h -- the configuration sources besides the command line: the
 * --config FILE (YAML, or JSON read as YAML), Argo CD's ARGOCD_APP_PARAMETERS
 * (JSON, read with cJSON) and KUBE_VERSION. Each value goes through
 * config_set_from() with its source's precedence; errors name the source,
 * the key and the expected form. It parses no argv and reads no stream. */
#ifndef DMSPR_SOURCES_H
#define DMSPR_SOURCES_H

#include <stddef.h>

#include "config.h"

/* The largest config file read. */
#define SOURCES_MAX_FILE ((size_t)1024 * 1024)

/* Read the YAML or JSON text TEXT (LEN bytes) of the config file NAME into
 * cfg at SRC_FILE. Returns 0, or -1 after writing a one-line reason into
 * err. */
int sources_read_config_text(struct config *cfg, const char *name, const char *text, size_t len, char *err,
			     size_t errlen);

/* Read the file PATH (at most SOURCES_MAX_FILE bytes) the same way. Returns
 * 0, or -1 after writing a one-line reason (bad content, or the file cannot
 * be read) into err. */
int sources_read_config_file(struct config *cfg, const char *path, char *err, size_t errlen);

/* Read ARGOCD_APP_PARAMETERS text JSON into cfg at SRC_ARGO: an array of
 * {"name": ..., "string"|"array"|"map": ...}; names are long option names.
 * Returns 0, or -1 after writing a one-line reason into err. */
int sources_read_argo(struct config *cfg, const char *json, char *err, size_t errlen);

#endif
