/* image.c -- the docker-mailserver image matcher. Look-alikes such as
 * mailu images, jeboehm/mailserver-admin and postfix exporters do not match, because
 * the whole last two path segments must be one of the known repositories. */
#include "image.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "util.h"

static const char *const known[] = {
	"docker-mailserver/docker-mailserver", /* ghcr.io */
	"mailserver/docker-mailserver",        /* Docker Hub; the chart's default */
	"tvial/docker-mailserver",             /* the project's name before 2020 */
};

bool
image_repository(const char *ref, char *out, size_t outlen)
{
	size_t n = strcspn(ref, "@");
	/* A tag is a ':' after the last '/'; one before it is a registry port. */
	const char *slash = NULL;
	for (const char *p = ref; p < ref + n; p++)
		if (*p == '/')
			slash = p;
	const char *colon = memchr(slash ? slash : ref, ':', n - (size_t)((slash ? slash : ref) - ref));
	if (colon)
		n = (size_t)(colon - ref);
	if (n == 0 || n >= outlen)
		return false;
	memcpy(out, ref, n);
	out[n] = '\0';
	return true;
}

/* The repository without a registry host: the first segment is a host when
 * it has a '.' or ':' or is "localhost" (the rule Docker uses). */
static const char *
strip_host(const char *repo)
{
	const char *slash = strchr(repo, '/');
	if (!slash)
		return repo;
	size_t n = (size_t)(slash - repo);
	if (memchr(repo, '.', n) || memchr(repo, ':', n) || (n == 9 && strncmp(repo, "localhost", 9) == 0))
		return slash + 1;
	return repo;
}

bool
image_is_dms(const char *ref, char *const *patterns, size_t npatterns)
{
	char repo[512];
	if (!ref || !image_repository(ref, repo, sizeof(repo)))
		return false;
	const char *path = strip_host(repo);
	size_t len = strlen(path);
	for (size_t i = 0; i < countof(known); i++) {
		size_t k = strlen(known[i]);
		if (len == k && strcmp(path, known[i]) == 0)
			return true;
		/* A private mirror: "harbor.example.com/proxy/" + the path. */
		if (len > k && path[len - k - 1] == '/' && strcmp(path + len - k, known[i]) == 0)
			return true;
	}
	for (size_t i = 0; i < npatterns; i++)
		if (fnmatch(patterns[i], repo, 0) == 0 || fnmatch(patterns[i], path, 0) == 0)
			return true;
	return false;
}

int
image_dms_major(const char *ref, char *why, size_t len)
{
	char repo[512];
	if (!ref || !image_repository(ref, repo, sizeof(repo))) {
		snprintf(why, len, "no image");
		return 0;
	}
	size_t rn = strlen(repo), dn = strcspn(ref, "@");
	const char *tag = ref[rn] == ':' ? ref + rn + 1 : NULL;
	size_t tn = tag ? dn - rn - 1 : 0;
	if (!tag && ref[dn] == '@') {
		snprintf(why, len, "the image is pinned by digest only");
		return 0;
	}
	if (!tag || (tn == 6 && !strncmp(tag, "latest", 6))) {
		snprintf(why, len, "%s, the newest release", tag ? "the tag latest" : "no tag (latest)");
		return IMAGE_DMS_NEWEST;
	}
	if (tn == 4 && !strncmp(tag, "edge", 4)) {
		snprintf(why, len, "the tag edge, the development branch");
		return IMAGE_DMS_NEWEST;
	}
	const char *t = tag + (*tag == 'v');
	int major = 0;
	size_t i = 0;
	while (t + i < tag + tn && t[i] >= '0' && t[i] <= '9' && major < 1000)
		major = major * 10 + (t[i++] - '0');
	if (!i || (t + i < tag + tn && t[i] != '.' && t[i] != '-')) {
		snprintf(why, len, "the tag %.*s names no version", (int)tn, tag);
		return 0;
	}
	snprintf(why, len, "the tag %.*s", (int)tn, tag);
	return major;
}
