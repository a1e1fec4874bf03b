/*
 * probe.c -- a test-only Helm 4 post-renderer plugin for the extism/v1
 * (WebAssembly) runtime, built by tests/clients.sh with clang --target=wasm32
 * and no libc. It shows what Helm hands a WebAssembly post-renderer: it fails
 * with "wasm-probe received: INPUT" (Helm shows a plugin's error text), or,
 * given --return-manifests, returns a one-ConfigMap stream in the output
 * message. It is not dms-postrender and patches nothing.
 */
#include <stddef.h>
#include <stdint.h>

/* The Extism kernel's functions (module extism:host/env). */
#define EXTISM(name) __attribute__((import_module("extism:host/env"), import_name(name)))
EXTISM("input_length") extern uint64_t input_length(void);
EXTISM("input_load_u8") extern uint32_t input_load_u8(uint64_t offset);
EXTISM("alloc") extern uint64_t alloc(uint64_t size);
EXTISM("store_u8") extern void store_u8(uint64_t offset, uint32_t byte);
EXTISM("output_set") extern void output_set(uint64_t offset, uint64_t size);
EXTISM("error_set") extern void error_set(uint64_t offset);

/* clang turns copy loops into memcpy calls; there is no libc to supply it. */
void *memcpy(void *dst, const void *src, size_t n);
void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;
	while (n--)
		*d++ = *s++;
	return dst;
}

/* Copy N bytes into kernel memory, NUL-terminated; returns its offset. */
static uint64_t to_kernel(const char *s, uint64_t n)
{
	uint64_t at = alloc(n + 1);
	for (uint64_t i = 0; i < n; i++)
		store_u8(at + i, (unsigned char)s[i]);
	store_u8(at + n, 0);
	return at;
}

static int contains(const char *s, uint64_t n, const char *word)
{
	uint64_t w = 0;
	while (word[w])
		w++;
	for (uint64_t i = 0; i + w <= n; i++) {
		uint64_t k = 0;
		while (k < w && s[i + k] == word[k])
			k++;
		if (k == w)
			return 1;
	}
	return 0;
}

static char msg[32768];

__attribute__((export_name("helm_plugin_main"))) int32_t helm_plugin_main(void)
{
	static const char head[] = "wasm-probe received: ";
	static const char out[] = "{\"manifests\":\"apiVersion: v1\\nkind: ConfigMap\\nmetadata:\\n  name: probe\\n\"}";
	uint64_t m = sizeof head - 1, n = input_length();
	memcpy(msg, head, m);
	if (n > sizeof msg - m)
		n = sizeof msg - m;
	for (uint64_t i = 0; i < n; i++)
		msg[m + i] = (char)input_load_u8(i);
	if (contains(msg + m, n, "--return-manifests")) {
		output_set(to_kernel(out, sizeof out - 1), sizeof out - 1);
		return 0;
	}
	error_set(to_kernel(msg, m + n));
	return 1;
}
