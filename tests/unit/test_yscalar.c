/* test_yscalar.c -- unit tests for yscalar.c: which plain texts YAML 1.1 and
 * 1.2 readers take for something other than a string, and how a string is
 * written so that it stays one. Each expectation was checked against
 * PyYAML's resolver (YAML 1.1) or the YAML 1.2 core schema. */
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "yscalar.h"

int
main(void)
{
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
