/* diff.h -- --diff: a unified diff between the input stream and what a run
 * would write, one section per document that changes (generated documents
 * against /dev/null), each headed by its "# Source:" path and object. It
 * reads both streams again from files and compares lines; it patches
 * nothing and decides nothing about YAML. */
#ifndef DMSPR_DIFF_H
#define DMSPR_DIFF_H

#include <stddef.h>

/* Write to OUT_FD the diff of the stream in file IN_FD against the stream in
 * file PATCHED_FD (both read from offset 0; MAX_DOC bounds one document).
 * Returns how many documents differ (0: nothing would change), or -1 after
 * reporting an error. */
long diff_streams(int in_fd, int patched_fd, size_t max_doc, int out_fd);

#endif
