/* yscalar.h -- how a plain YAML scalar resolves, and writing a string so
 * that every reader takes it for a string. A plain `yes`, `123`, `null`,
 * `0x1f`, `1:20` or `2026-12-02` is a boolean, number, null or timestamp to
 * YAML 1.1 readers (PyYAML, the go-yaml v2 behind Kubernetes' sigs.k8s.io/
 * yaml) or YAML 1.2 core ones (go-yaml v3, which Helm 4's kyaml uses), so a
 * string with such a text must be quoted. It knows nothing of documents. */
#ifndef DMSPR_YSCALAR_H
#define DMSPR_YSCALAR_H

#include <stdbool.h>

#include "util.h"

/* True when TEXT written plain reads back as the string TEXT under YAML 1.1
 * and YAML 1.2 core resolution; false for the empty string and for every
 * null, boolean, number, timestamp, merge or value form. */
bool yscalar_plain_is_str(const char *text);

/* Append TEXT to B as a string scalar: plain when that is safe (resolves
 * as a string and needs no quoting for its characters), else double-quoted
 * with '"', '\\' and control characters escaped. */
void yscalar_append(struct buf *b, const char *text);

/* Append TEXT to B double-quoted, always (label keys and values, which
 * must be strings whatever they look like). */
void yscalar_append_quoted(struct buf *b, const char *text);

/* The same into OUT (LEN bytes, always NUL-terminated; a text too long is
 * cut, which callers prevent by validating lengths first). */
void yscalar_format(char *out, size_t len, const char *text);

#endif
