/* diag.c -- formats errors, warnings and verbose notes onto stderr with the
 * current document as context. It keeps no other state and never exits. */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static size_t cur_index;
static char cur_source[256];
static bool failed;
static bool verbose;
static FILE *out; /* NULL: stderr */
#define OUT (out ? out : stderr)

void
diag_set_document(size_t index, const char *source, size_t source_len)
{
	cur_index = index;
	cur_source[0] = '\0';
	if (source && source_len) {
		if (source_len >= sizeof(cur_source))
			source_len = sizeof(cur_source) - 1;
		memcpy(cur_source, source, source_len);
		cur_source[source_len] = '\0';
	}
}

/* Write fmt/ap with control characters replaced, so that a message quoting
 * input can never span two lines. */
static void
put_message(const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	size_t n = strlen(msg);
	bool add_errno = n > 0 && msg[n - 1] == ':';
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	fputs(msg, OUT);
	if (add_errno)
		fprintf(OUT, " %s", strerror(saved));
}

static void
put_context(void)
{
	if (!cur_index)
		return;
	if (cur_source[0])
		fprintf(OUT, " (document %zu, Source: %s)", cur_index, cur_source);
	else
		fprintf(OUT, " (document %zu)", cur_index);
}

static void
verror_at(size_t line, size_t col, const char *fmt, va_list ap)
{
	if (failed)
		return;
	failed = true;
	fputs(PROG_NAME ": error: ", OUT);
	if (line)
		fprintf(OUT, "<stdin>:%zu:%zu: ", line, col ? col : 1);
	put_message(fmt, ap);
	put_context();
	fputc('\n', OUT);
	fflush(OUT);
}

void
diag_error_at(size_t line, size_t col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror_at(line, col, fmt, ap);
	va_end(ap);
}

void
diag_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	verror_at(0, 0, fmt, ap);
	va_end(ap);
}

bool
diag_failed(void)
{
	return failed;
}

static void
vwarn_at(size_t line, const char *fmt, va_list ap)
{
	fputs(PROG_NAME ": warning: ", OUT);
	if (line)
		fprintf(OUT, "<stdin>:%zu: ", line);
	put_message(fmt, ap);
	put_context();
	fputc('\n', OUT);
}

void
diag_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_at(0, fmt, ap);
	va_end(ap);
}

void
diag_warn_at(size_t line, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vwarn_at(line, fmt, ap);
	va_end(ap);
}

void
diag_set_verbose(bool on)
{
	verbose = on;
}

bool
diag_verbose(void)
{
	return verbose;
}

void
diag_note(const char *fmt, ...)
{
	va_list ap;
	if (!verbose)
		return;
	fputs(PROG_NAME ": ", OUT);
	va_start(ap, fmt);
	put_message(fmt, ap);
	va_end(ap);
	fputc('\n', OUT);
}

void
diag_reset(void)
{
	cur_index = 0;
	cur_source[0] = '\0';
	failed = false;
	verbose = false;
}

void
diag_set_output(FILE *f)
{
	out = f;
}
