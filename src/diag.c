/* diag.c -- formats errors, warnings and verbose notes onto stderr with the
 * current document as context, and under Helm 4 (which throws a
 * post-renderer's stderr away) also appends errors and warnings to a log
 * file and shows an error on the terminal. It never exits. */
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static size_t cur_index;
static char cur_source[256];
static bool failed;
static bool verbose;
static FILE *out; /* NULL: stderr */
#define OUT (out ? out : stderr)
static char mirror_path[4096]; /* log file for errors and warnings, or "" */
static bool mirror_tty;          /* errors also to /dev/tty */
static bool mirror_started;      /* this run's header is written */
static void (*listener)(bool error, const char *text);

#define MIRROR_MAX_BYTES ((off_t)64 * 1024)

/* Append LINE (with its newline) to the log file, starting a fresh file
 * when it has grown past MIRROR_MAX_BYTES. Failures are silent: there is
 * nowhere left to report them. */
static void
mirror_log(const char *line)
{
	struct stat st;
	if (!mirror_path[0])
		return;
	int flags = O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW;
	if (stat(mirror_path, &st) == 0 && st.st_size > MIRROR_MAX_BYTES)
		flags |= O_TRUNC;
	int fd = open(mirror_path, flags, 0600);
	if (fd < 0)
		return;
	if (!mirror_started) {
		char head[128];
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		size_t n = strftime(head, sizeof(head), "--- %Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(head + n, sizeof(head) - n, " pid %ld\n", (long)getpid());
		if (write(fd, head, strlen(head)) < 0)
			mirror_path[0] = '\0';
		mirror_started = true;
	}
	if (write(fd, line, strlen(line)) < 0)
		mirror_path[0] = '\0';
	close(fd);
}

static void
mirror_to_tty(const char *line)
{
	int fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) < 0) {
		/* no terminal after all */
	}
	close(fd);
}

/* Write one finished message line to stderr and, for errors and warnings,
 * to the Helm 4 log (and errors to the terminal). */
static void
put_line(const char *line, bool error, bool warning)
{
	if (listener && (error || warning)) {
		char text[1600];
		size_t skip = strlen(error ? PROG_NAME ": error: " : PROG_NAME ": warning: ");
		snprintf(text, sizeof(text), "%s", line + skip);
		text[strcspn(text, "\n")] = '\0';
		listener(error, text);
	}
	fputs(line, OUT);
	if (error)
		fflush(OUT);
	if (error || warning)
		mirror_log(line);
	if (error && mirror_tty)
		mirror_to_tty(line);
}

/* Finish a line built with one byte kept free for its newline. */
static void
end_line(char *text)
{
	size_t n = strlen(text);
	text[n] = '\n';
	text[n + 1] = '\0';
}

/* Append to a line being built. */
static void
add(char *line, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
add(char *line, size_t len, const char *fmt, ...)
{
	size_t used = strlen(line);
	va_list ap;
	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(line + used, len - used, fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized): false positive */
	va_end(ap);
}

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
put_message(char *line, size_t len, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;
	vsnprintf(msg, sizeof(msg), fmt, ap); /* NOLINT(clang-analyzer-valist.Uninitialized): false positive */
	size_t n = strlen(msg);
	bool add_errno = n > 0 && msg[n - 1] == ':';
	for (char *p = msg; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = ' ';
	add(line, len, "%s", msg);
	if (add_errno)
		add(line, len, " %s", strerror(saved));
}

static void
put_context(char *line, size_t len)
{
	if (!cur_index)
		return;
	if (cur_source[0])
		add(line, len, " (document %zu, Source: %s)", cur_index, cur_source);
	else
		add(line, len, " (document %zu)", cur_index);
}

static void
verror_at(size_t line, size_t col, const char *fmt, va_list ap)
{
	if (failed)
		return;
	failed = true;
	char text[1600] = PROG_NAME ": error: ";
	if (line)
		add(text, sizeof(text) - 1, "<stdin>:%zu:%zu: ", line, col ? col : 1);
	put_message(text, sizeof(text) - 1, fmt, ap);
	put_context(text, sizeof(text) - 1);
	end_line(text);
	put_line(text, true, false);
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
	char text[1600] = PROG_NAME ": warning: ";
	if (line)
		add(text, sizeof(text) - 1, "<stdin>:%zu: ", line);
	put_message(text, sizeof(text) - 1, fmt, ap);
	put_context(text, sizeof(text) - 1);
	end_line(text);
	put_line(text, false, true);
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
	char text[1600] = PROG_NAME ": ";
	va_start(ap, fmt);
	put_message(text, sizeof(text) - 1, fmt, ap);
	va_end(ap);
	end_line(text);
	put_line(text, false, false);
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

void
diag_mirror(const char *log_path, bool tty)
{
	snprintf(mirror_path, sizeof(mirror_path), "%s", log_path ? log_path : "");
	mirror_tty = tty;
	mirror_started = false;
}

void
diag_set_listener(void (*fn)(bool error, const char *text))
{
	listener = fn;
}
