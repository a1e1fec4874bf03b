/* kemit.h -- --emit=kustomize and --emit=flux: instead of the patched
 * stream, what a run changed, as kustomize input: one strategic-merge patch
 * (and, for items appended to a keyed list, one JSON6902 patch) per changed
 * object, targeted by group, version, kind, name and namespace, and the
 * generated objects as resources. It reads the input and the run's output
 * again and compares them document by document (kpatch.h); it patches
 * nothing and decides nothing about docker-mailserver. */
#ifndef DMSPR_KEMIT_H
#define DMSPR_KEMIT_H

#include "config.h"
#include "diag.h"

/* Write the form CFG->emit asks for, of the stream in file IN_FD turned
 * into the stream in file PATCHED_FD (both read from offset 0): to stdout,
 * or with --emit-dir into that directory, whole or not at all. Returns
 * EXIT_OK, or an exit code after reporting (EXIT_PATCH: a change kustomize
 * cannot express). */
enum exit_code kemit_write(const struct config *cfg, int in_fd, int patched_fd);

#endif
