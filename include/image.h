/* image.h -- parses a container image reference and decides whether it is
 * docker-mailserver's. It only looks at the string; it never reads a
 * registry and knows nothing about documents. */
#ifndef DMSPR_IMAGE_H
#define DMSPR_IMAGE_H

#include <stdbool.h>
#include <stddef.h>

/* The repository of an image reference: REF without "@digest" and without
 * ":tag", written into out (registry host kept). Returns false when REF is
 * empty or does not fit. */
bool image_repository(const char *ref, char *out, size_t outlen);

/* True when REF is a docker-mailserver image: its repository path is
 * docker-mailserver/docker-mailserver, mailserver/docker-mailserver or the
 * legacy tvial/docker-mailserver, on any registry or behind any mirror
 * prefix, with any tag and/or digest; or when the repository (with or
 * without its registry host) matches one of the NPATTERNS shell globs. */
bool image_is_dms(const char *ref, char *const *patterns, size_t npatterns);

/* The newest docker-mailserver major version this release knows the
 * Kubernetes guide of. */
#define IMAGE_DMS_NEWEST 16

/* The docker-mailserver major version REF's tag names: "16", "16.0.1",
 * "v15.1.0", "15.1.0-rc1" give 16 and 15; "edge" (the development branch)
 * and "latest" or no tag (the newest release) give IMAGE_DMS_NEWEST. 0 when
 * the tag does not say (a digest alone, another word). WHY (LEN bytes)
 * says how it was read, for --verbose. */
int image_dms_major(const char *ref, char *why, size_t len);

#endif
