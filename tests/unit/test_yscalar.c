/* test_yscalar.c -- unit tests for yscalar.c: which plain texts YAML 1.1 and
 * 1.2 readers take for something other than a string, and how a string is
 * written so that it stays one. Each expectation was checked against
 * PyYAML's resolver (YAML 1.1) or the YAML 1.2 core schema. */
#include <regex.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "yscalar.h"

/* The oracle: yscalar.c's rules as it first stated them, a word table and
 * POSIX extended regular expressions (the ones yscalar.h quotes). The
 * hand-written recognisers must agree with it on every text below. */
static const char *const oracle_words[] = {
	"~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "true", "True",
	"TRUE", "false", "False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", "<<", "=", ".inf", ".Inf",
	".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN",
};
static const char *const oracle_forms[] = {
	"^[-+]?(0b[01_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)$",
	"^[-+]?([0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$",
	"^([-+]?[0-9][0-9_]*\\.[0-9_]*([eE][-+][0-9]+)?|\\.[0-9][0-9_]*([eE][-+][0-9]+)?|" /* NOLINT(bugprone-suspicious-missing-comma): one pattern */
	"[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*)$",
	"^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
	"^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?",
};
static regex_t oracle_re[sizeof(oracle_forms) / sizeof(oracle_forms[0])];

static bool
oracle_is_str(const char *t)
{
	if (!*t)
		return false;
	for (size_t i = 0; i < sizeof(oracle_words) / sizeof(oracle_words[0]); i++)
		if (strcmp(t, oracle_words[i]) == 0)
			return false;
	if (!strchr("0123456789+-.", t[0]))
		return true;
	for (size_t i = 0; i < sizeof(oracle_forms) / sizeof(oracle_forms[0]); i++)
		if (regexec(&oracle_re[i], t, 0, NULL, 0) == 0)
			return false;
	return true;
}

/* Every text of up to MAX bytes over ALPHABET; the first disagreement is
 * kept in *BAD. Returns how many texts were compared. */
static size_t
exhaustive(const char *alphabet, size_t max, char *bad, size_t badlen)
{
	size_t na = strlen(alphabet), count = 0;
	size_t idx[8] = {0};
	char t[9];
	for (size_t len = 1; len <= max; len++) {
		memset(idx, 0, sizeof(idx));
		for (;;) {
			for (size_t i = 0; i < len; i++)
				t[i] = alphabet[idx[i]];
			t[len] = '\0';
			count++;
			if (!*bad && yscalar_plain_is_str(t) != oracle_is_str(t))
				snprintf(bad, badlen, "%s", t);
			size_t k = 0;
			while (k < len && ++idx[k] == na)
				idx[k++] = 0;
			if (k == len)
				break;
		}
	}
	return count;
}

/* COUNT pseudo-random texts of 1 to 16 bytes over ALPHABET (a fixed seed:
 * the same texts every run). */
static void
sampled(const char *alphabet, size_t count, char *bad, size_t badlen)
{
	unsigned long x = 2463534242UL;
	size_t na = strlen(alphabet);
	char t[17];
	for (size_t n = 0; n < count; n++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		size_t len = 1 + (x >> 3) % 16;
		for (size_t i = 0; i < len; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			t[i] = alphabet[(x >> 5) % na];
		}
		t[len] = '\0';
		if (!*bad && yscalar_plain_is_str(t) != oracle_is_str(t))
			snprintf(bad, badlen, "%s", t);
	}
}

int
main(void)
{
	for (size_t i = 0; i < sizeof(oracle_forms) / sizeof(oracle_forms[0]); i++)
		if (regcomp(&oracle_re[i], oracle_forms[i], REG_EXTENDED | REG_NOSUB) != 0) {
			printf("FAIL the oracle's pattern %zu compiles\n", i);
			return 1;
		}
	{
		char bad[32] = "", name[128];
		size_t n = exhaustive("0159_:.eE+-xbo", 4, bad, sizeof(bad));
		n += exhaustive("012345678:", 5, bad, sizeof(bad));
		snprintf(name, sizeof(name), "the recognisers agree with the regular expressions on %zu short texts%s%s",
			 n, *bad ? ", not on " : "", bad);
		CHECK(name, !*bad);
		sampled("0123456789_:.eE+-xXbBoOaAfF", 200000, bad, sizeof(bad));
		sampled("0189-:.T tZ", 100000, bad, sizeof(bad));
		sampled("~nNuUlLyYeEsStTrRfFaAoO<=.+-iI1", 100000, bad, sizeof(bad));
		snprintf(name, sizeof(name), "they agree on 400000 sampled texts%s%s", *bad ? ", not on " : "", bad);
		CHECK(name, !*bad);
		for (size_t i = 0; i < sizeof(oracle_words) / sizeof(oracle_words[0]); i++) {
			snprintf(name, sizeof(name), "the word '%s' is not a string", oracle_words[i]);
			CHECK(name, !yscalar_plain_is_str(oracle_words[i]));
		}
		for (size_t i = 0; i < sizeof(oracle_re) / sizeof(oracle_re[0]); i++)
			regfree(&oracle_re[i]);
	}

	static const char *const other[] = {
		"", "~", "null", "NULL", "yes", "No", "ON", "off", "y", "N", "true", "False", "<<", "=",
		"0", "123", "-1", "+7", "0x1f", "0o17", "017", "0b101", "1_000", "1:20", "1.5", ".5", "1e3",
		"-2.0e+5", ".inf", "-.Inf", ".NaN", "190:20:30.15", "2026-12-02", "2001-12-14t21:59:43.10-05:00",
		"1:2:3:4:5:6:7:8", /* sexagesimal, YAML 1.1 */
	};
	static const char *const strings[] = {
		"mail", "yes-please", "nullable", "192.0.2.25", "10.0.0.0/8", "2001:db8::25", "1.2.3",
		"v1", "Local", "localhost/null", "0.0.0.0/0", "-x", ".hidden", "12ab",
	};
	char name[128];
	for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
		snprintf(name, sizeof(name), "'%s' plain is not a string", other[i]);
		CHECK(name, !yscalar_plain_is_str(other[i]));
	}
	for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
		snprintf(name, sizeof(name), "'%s' plain is a string", strings[i]);
		CHECK(name, yscalar_plain_is_str(strings[i]));
	}

	static const struct {
		const char *what, *text, *want;
	} written[] = {
		{"a plain-safe string is written plain", "mail", "mail"},
		{"a boolean-looking string is double-quoted", "yes", "\"yes\""},
		{"a number-looking string is double-quoted", "0777", "\"0777\""},
		{"quotes and backslashes are escaped", "a \"b\"\\c", "\"a \\\"b\\\"\\\\c\""},
		{"control characters are escaped", "tab\there", "\"tab\\x09here\""},
		{"characters plain style cannot hold safely are quoted", "with: colon", "\"with: colon\""},
	};
	char out[64];
	for (size_t i = 0; i < sizeof(written) / sizeof(written[0]); i++) {
		yscalar_format(out, sizeof(out), written[i].text);
		CHECK(written[i].what, strcmp(out, written[i].want) == 0);
	}
	return check_done();
}
