/* yscalar.c -- the implicit-type rules of YAML 1.1 (as PyYAML and go-yaml
 * v2 apply them) and of the YAML 1.2 core schema, for plain scalars, and
 * the quoting that keeps a string a string. The number, timestamp and
 * sexagesimal forms are small hand-written recognisers (the regular
 * expressions they implement are in yscalar.h, and the unit test checks
 * one against the other); the words are a table. It decides nothing about
 * which values to write. */
#include "yscalar.h"

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

static bool
dig(char c)
{
	return c >= '0' && c <= '9';
}

static bool
in(char c, const char *set)
{
	return c && strchr(set, c) != NULL;
}

/* Skip the characters of SET. */
static const char *
span(const char *p, const char *set)
{
	while (in(*p, set))
		p++;
	return p;
}

/* One or more characters of SET, then the end of the text. */
static bool
rest_of(const char *p, const char *set)
{
	return in(*p, set) && !*span(p, set);
}

#define DEC "0123456789"
#define DEC_ "0123456789_"
#define HEX "0123456789abcdefABCDEF"

/* (:[0-5]?[0-9])+ from P; returns where it stops, or NULL when it does not
 * match once. A digit may follow a group's first digit only when that one
 * is 0-5, so taking it is the only way on. */
static const char *
sexagesimal(const char *p)
{
	const char *q = NULL;
	while (*p == ':' && dig(p[1])) {
		p += 2;
		if (dig(*p)) {
			if (p[-1] > '5')
				return NULL;
			p++;
		}
		q = p;
	}
	return q;
}

/* ^[-+]?(0b[01_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$ */
static bool
int_1_1(const char *p)
{
	p += in(*p, "+-");
	if (*p == '0') {
		if (!p[1])
			return true;
		if (p[1] == 'b')
			return rest_of(p + 2, "01_");
		if (p[1] == 'x')
			return rest_of(p + 2, HEX "_");
		return rest_of(p + 1, "01234567_");
	}
	if (!in(*p, "123456789"))
		return false;
	p = span(p + 1, DEC_);
	if (!*p)
		return true;
	p = sexagesimal(p);
	return p && !*p;
}

/* ^[-+]?([0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$ */
static bool
int_1_2(const char *p)
{
	p += in(*p, "+-");
	if (p[0] == '0' && p[1] == 'o')
		return rest_of(p + 2, "01234567");
	if (p[0] == '0' && p[1] == 'x')
		return rest_of(p + 2, HEX);
	return rest_of(p, DEC);
}

/* ([eE][-+][0-9]+)?$ when SIGN, ([eE][-+]?[0-9]+)?$ otherwise. */
static bool
exponent_end(const char *p, bool sign)
{
	if (!*p)
		return true;
	if (*p != 'e' && *p != 'E')
		return false;
	p++;
	if (in(*p, "+-"))
		p++;
	else if (sign)
		return false;
	return rest_of(p, DEC);
}

/* ^([-+]?[0-9][0-9_]*\.[0-9_]*([eE][-+][0-9]+)?|\.[0-9][0-9_]*([eE][-+][0-9]+)?|
 *   [-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\.[0-9_]*)$ */
static bool
float_1_1(const char *p)
{
	if (*p == '.')
		return dig(p[1]) && exponent_end(span(p + 2, DEC_), true);
	p += in(*p, "+-");
	if (!dig(*p))
		return false;
	p = span(p + 1, DEC_);
	if (*p == '.')
		return exponent_end(span(p + 1, DEC_), true);
	p = sexagesimal(p);
	return p && *p == '.' && !*span(p + 1, DEC_);
}

/* ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool
float_1_2(const char *p)
{
	p += in(*p, "+-");
	if (*p == '.') {
		if (!dig(p[1]))
			return false;
		p = span(p + 1, DEC);
	} else {
		if (!dig(*p))
			return false;
		p = span(p, DEC);
		if (*p == '.')
			p = span(p + 1, DEC);
	}
	return exponent_end(p, false);
}

/* ^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]? (a prefix: a date first) */
static bool
timestamp_1_1(const char *p)
{
	if (!dig(p[0]) || !dig(p[1]) || !dig(p[2]) || !dig(p[3]) || p[4] != '-' || !dig(p[5]))
		return false;
	p += 6;
	p += dig(*p);
	return *p == '-' && dig(p[1]);
}

bool
yscalar_plain_is_str(const char *text)
{
	if (!text || !*text)
		return false;
	/* Every word is 1 to 5 bytes long and starts with one of these. */
	if (in(text[0], "~nNyYtTfFoO<=.+-") && strlen(text) <= 5)
		for (size_t i = 0; i < countof(words); i++)
			if (strcmp(text, words[i]) == 0)
				return false;
	/* Only texts that start like a number can be one. */
	if (!in(text[0], "0123456789+-."))
		return true;
	return !int_1_1(text) && !int_1_2(text) && !float_1_1(text) && !float_1_2(text) && !timestamp_1_1(text);
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
