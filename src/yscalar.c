/* yscalar.c -- the implicit-type rules of YAML 1.1 (as PyYAML and go-yaml
 * v2 apply them) and of the YAML 1.2 core schema, for plain scalars, and
 * the quoting that keeps a string a string. The number, timestamp and
 * sexagesimal forms are POSIX extended regular expressions compiled once;
 * the words are a table. It decides nothing about which values to write. */
#include "yscalar.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

static const char *const words[] = {
	/* null */
	"~", "null", "Null", "NULL",
	/* booleans, YAML 1.1 (y/n: go-yaml v2 and the 1.1 spec) and 1.2 */
	"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True", "TRUE", "false", "False",
	"FALSE", "on", "On", "ON", "off", "Off", "OFF",
	/* merge and value keys */
	"<<", "=",
	/* special floats */
	".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN",
};

static const char *const forms[] = {
	/* int, YAML 1.1: binary, octal, decimal, hexadecimal, sexagesimal */
	"^[-+]?(0b[01_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$",
	/* int, YAML 1.2 core */
	"^[-+]?([0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
	/* float, YAML 1.1 (PyYAML's) and 1.2 core */
	"^([-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9][0-9_]*([eE][-+][0-9]+)?|" /* NOLINT(bugprone-suspicious-missing-comma): one pattern */
	"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*)$",
	"^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
	/* timestamp, YAML 1.1: a date first */
	"^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?",
};

static regex_t compiled[sizeof(forms) / sizeof(forms[0])];
static bool ready, broken;

static void
compile(void)
{
	ready = true;
	for (size_t i = 0; i < countof(forms); i++)
		if (regcomp(&compiled[i], forms[i], REG_EXTENDED | REG_NOSUB) != 0)
			broken = true; /* then every text counts as non-string: quoted */
}

bool
yscalar_plain_is_str(const char *text)
{
	if (!text || !*text)
		return false;
	for (size_t i = 0; i < countof(words); i++)
		if (strcmp(text, words[i]) == 0)
			return false;
	/* Only texts that start like a number can be one. */
	if (!strchr("0123456789+-.", text[0]))
		return true;
	if (!ready)
		compile();
	if (broken)
		return false;
	for (size_t i = 0; i < countof(forms); i++)
		if (regexec(&compiled[i], text, 0, NULL, 0) == 0)
			return false;
	return true;
}

/* Characters a plain scalar can hold anywhere in block context without a
 * second thought (the emitter may still quote more; we quote less only). */
static bool
plain_chars(const char *text)
{
	if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789/", text[0]))
		return false;
	for (const char *p = text; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_./-", *p))
			return false;
	return true;
}

void
yscalar_append(struct buf *b, const char *text)
{
	if (plain_chars(text) && yscalar_plain_is_str(text))
		buf_adds(b, text);
	else
		yscalar_append_quoted(b, text);
}

void
yscalar_append_quoted(struct buf *b, const char *text)
{
	buf_adds(b, "\"");
	for (const char *p = text; *p; p++) {
		char esc[8];
		unsigned char c = (unsigned char)*p;
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			esc[2] = '\0';
		} else if (c < 0x20 || c == 0x7f) {
			snprintf(esc, sizeof(esc), "\\x%02x", c);
		} else {
			esc[0] = (char)c;
			esc[1] = '\0';
		}
		buf_adds(b, esc);
	}
	buf_adds(b, "\"");
}

void
yscalar_format(char *out, size_t len, const char *text)
{
	struct buf b = {0};
	yscalar_append(&b, text);
	snprintf(out, len, "%s", b.data ? b.data : "");
	buf_free(&b);
}
