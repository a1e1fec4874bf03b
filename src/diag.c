/* diag.c -- formats errors, warnings and verbose notes onto stderr with the
 * current document as context, and under Helm (Helm 4 throws a
 * post-renderer's stderr away, Helm 3 keeps it only on failure) also appends
 * errors and warnings to a log file and writes them where Helm writes its own
 * messages (Helm's stderr, else the terminal). Under --strict it counts the
 * warnings. It never exits and never decides where it runs: main() says so. */
#include "diag.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static size_t cur_index;
static char cur_source[256];
static char cur_template[256]; /* Helm 4 filename annotation, or "" */
static bool failed;
static char first_error[1600]; /* the error line, without prefix and newline */
static bool verbose;
static FILE *out; /* NULL: stderr */
#define OUT (out ? out : stderr)
static char mirror_path[4096]; /* log file for errors and warnings, or "" */
static long client_pid;          /* the client whose stderr also gets messages, or 0 */
static enum diag_client mirror_client; /* what also goes to the client, and when */
static size_t warnings;          /* this run's warnings */
static bool mirror_started;      /* this run's header is written */
static char held[16384];         /* DIAG_CLIENT_ON_SUCCESS: warnings for the end */
static size_t held_len;
static bool held_cut;            /* some did not fit */
static void (*listener)(bool error, const char *text, const char *message);
static char cur_message[1024]; /* the message being put, without place or context */

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

/* True when the client's stderr is a file it opened for appending. A file
 * it opened otherwise (a plain "2>FILE") has an offset of its own, and the
 * client's next write would land on ours. */
static bool
client_appends(void)
{
	char info[64], text[256];
	snprintf(info, sizeof(info), "/proc/%ld/fdinfo/2", client_pid);
	int in = open(info, O_RDONLY | O_CLOEXEC);
	ssize_t n = in < 0 ? -1 : read(in, text, sizeof(text) - 1);
	if (in >= 0)
		close(in);
	if (n <= 0)
		return false;
	text[n] = '\0';
	const char *flags = strstr(text, "flags:");
	return flags && (strtoul(flags + 6, NULL, 8) & O_APPEND);
}

/* Open the client's stderr (/proc/PID/fd/2) unless it is our own
 * stderr (a wrapper script between Helm and us: Helm would drop it too) or a
 * file we cannot append to safely, else the terminal; -1 when neither.
 * Non-blocking, so that a client that stopped reading its stderr can cost a
 * message, never the run. */
static int
open_client(void)
{
	struct stat ours, theirs;
	char path[64];
	int fd = -1;
	snprintf(path, sizeof(path), "/proc/%ld/fd/2", client_pid);
	if (client_pid > 0)
		fd = open(path, O_WRONLY | O_APPEND | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd >= 0 && (fstat(fd, &theirs) != 0 || (S_ISREG(theirs.st_mode) && !client_appends()) ||
			(fstat(STDERR_FILENO, &ours) == 0 && ours.st_dev == theirs.st_dev && ours.st_ino == theirs.st_ino))) {
		close(fd);
		fd = -1;
	}
	if (fd < 0)
		fd = open("/dev/tty", O_WRONLY | O_NOCTTY | O_CLOEXEC);
	return fd;
}

static void
mirror_to_client(const char *line)
{
	int fd = open_client();
	if (fd < 0)
		return;
	if (write(fd, line, strlen(line)) < 0) {
		/* the client is gone or its pipe is full; the log has it */
	}
	close(fd);
}

/* Keep a warning for diag_finish(); past the buffer only the fact that
 * more came. */
static void
hold_for_client(const char *line)
{
	size_t n = strlen(line);
	if (held_len + n >= sizeof(held)) {
		held_cut = true;
		return;
	}
	memcpy(held + held_len, line, n);
	held_len += n;
	held[held_len] = '\0';
}

/* Write one finished message line to stderr and, for errors and warnings,
 * to the log and the terminal as diag_mirror() asked. */
static void
put_line(const char *line, bool error, bool warning)
{
	if (listener && (error || warning)) {
		char text[1600];
		size_t skip = strlen(error ? PROG_NAME ": error: " : PROG_NAME ": warning: ");
		snprintf(text, sizeof(text), "%s", line + skip);
		text[strcspn(text, "\n")] = '\0';
		listener(error, text, cur_message);
	}
	fputs(line, OUT);
	if (error)
		fflush(OUT);
	if (error || warning)
		mirror_log(line);
	if ((error || warning) && mirror_client == DIAG_CLIENT_ALL)
		mirror_to_client(line);
	else if (warning && mirror_client == DIAG_CLIENT_ON_SUCCESS)
		hold_for_client(line);
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
	cur_template[0] = '\0';
	if (source && source_len) {
		if (source_len >= sizeof(cur_source))
			source_len = sizeof(cur_source) - 1;
		memcpy(cur_source, source, source_len);
		cur_source[source_len] = '\0';
	}
}

void
diag_set_template(const char *file)
{
	size_t i = 0;
	/* Control characters would split the line; they are not in a path
	 * Helm writes. */
	for (; file && file[i] && i + 1 < sizeof(cur_template); i++) {
		cur_template[i] = file[i];
		if ((unsigned char)file[i] < 0x20)
			cur_template[i] = ' ';
	}
	cur_template[i] = '\0';
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
	snprintf(cur_message, sizeof(cur_message), "%s%s%s", msg, add_errno ? " " : "", add_errno ? strerror(saved) : "");
}

/* The start of a message: the Helm 4 template file, else the position. */
static void
put_where(char *line, size_t len, size_t at, size_t col, bool with_col)
{
	if (cur_template[0] && cur_index)
		add(line, len, "%s: ", cur_template);
	else if (at && with_col)
		add(line, len, "<stdin>:%zu:%zu: ", at, col ? col : 1);
	else if (at)
		add(line, len, "<stdin>:%zu: ", at);
}

static void
put_context(char *line, size_t len, size_t at, size_t col, bool with_col)
{
	if (!cur_index)
		return;
	if (cur_template[0] && at && with_col)
		add(line, len, " (document %zu, <stdin>:%zu:%zu)", cur_index, at, col ? col : 1);
	else if (cur_template[0] && at)
		add(line, len, " (document %zu, <stdin>:%zu)", cur_index, at);
	else if (!cur_template[0] && cur_source[0])
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
	put_where(text, sizeof(text) - 1, line, col, true);
	put_message(text, sizeof(text) - 1, fmt, ap);
	put_context(text, sizeof(text) - 1, line, col, true);
	snprintf(first_error, sizeof(first_error), "%s", text + strlen(PROG_NAME ": error: "));
	end_line(text);
	put_line(text, true, false);
}

const char *
diag_first_error(void)
{
	return failed ? first_error : NULL;
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
	warnings++;
	put_where(text, sizeof(text) - 1, line, 0, false);
	put_message(text, sizeof(text) - 1, fmt, ap);
	put_context(text, sizeof(text) - 1, line, 0, false);
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
	cur_template[0] = '\0';
	held_len = 0;
	held_cut = false;
	failed = false;
	verbose = false;
	warnings = 0;
}

void
diag_set_output(FILE *f)
{
	out = f;
}

bool
diag_client_active(void)
{
	return mirror_client != DIAG_CLIENT_NONE;
}

size_t
diag_warnings(void)
{
	return warnings;
}

void
diag_mirror(const char *log_path, long client, enum diag_client when)
{
	snprintf(mirror_path, sizeof(mirror_path), "%s", log_path ? log_path : "");
	client_pid = client;
	mirror_client = when;
	mirror_started = false;
	held_len = 0;
	held_cut = false;
}

void
diag_finish(int status)
{
	if (mirror_client == DIAG_CLIENT_ON_SUCCESS && status == 0 && held_len) {
		mirror_to_client(held);
		if (held_cut)
			mirror_to_client(PROG_NAME ": warning: more warnings than fit here; see the log or run with "
						"the same input outside Helm\n");
	}
	held_len = 0;
	if (mirror_started) {
		char end[64];
		snprintf(end, sizeof(end), "--- exit %d\n", status);
		mirror_log(end);
	}
}

void
diag_set_listener(void (*fn)(bool error, const char *text, const char *message))
{
	listener = fn;
}
