/* fuzz_sources.c -- libFuzzer harness over the configuration sources: the
 * first byte chooses the config-file reader (YAML/JSON) or the Argo CD
 * parameter reader (JSON), the rest is the text. Oracles:
 *   - a rejected input left a reason (diag.c keeps it on one line);
 *   - an accepted one gives a configuration whose --print-config output,
 *     read back as a config file, is accepted and prints the same values
 *     (what --print-config promises).
 * Build and run with `make fuzz`. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "sources.h"

/* --print-config of CFG without its comments (the sources differ). */
static char *
printed(const struct config *cfg, size_t *len)
{
	char *text = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&text, &n);
	if (!f || config_print(cfg, f, false) != 0 || fclose(f) != 0)
		abort();
	char *out = malloc(n + 1), *w = out;
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t l = nl ? (size_t)(nl - line) : strlen(line);
		char *hash = strstr(line, "  # ");
		if (line[0] != '#') {
			size_t keep = hash && hash < line + l ? (size_t)(hash - line) : l;
			memcpy(w, line, keep);
			w += keep;
			*w++ = '\n';
		}
		line += l + (nl != NULL);
	}
	*w = '\0';
	*len = (size_t)(w - out);
	free(text);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config a, b;
	char err[1024];
	if (size < 1)
		return 0;
	char *text = malloc(size);
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	config_init(&a);
	err[0] = '\0';
	int rc = data[0] & 1 ? sources_read_argo(&a, text, err, sizeof(err))
			     : sources_read_config_text(&a, "fuzz.yaml", text, size - 1, err, sizeof(err));
	if (rc != 0) {
		if (!err[0]) {
			fprintf(stderr, "fuzz: rejected without a reason\n");
			abort();
		}
	} else {
		size_t la, lb;
		char *pa = printed(&a, &la);
		config_init(&b);
		if (sources_read_config_text(&b, "printed.yaml", pa, la, err, sizeof(err)) != 0) {
			fprintf(stderr, "fuzz: --print-config output not read back: %s\n---\n%s", err, pa);
			abort();
		}
		char *pb = printed(&b, &lb);
		if (la != lb || memcmp(pa, pb, la) != 0) {
			fprintf(stderr, "fuzz: read back differently:\n%s---\n%s", pa, pb);
			abort();
		}
		free(pa);
		free(pb);
		config_free(&b);
	}
	config_free(&a);
	free(text);
	return 0;
}
