/* cli.h -- turns argv into configuration through config_set(), and prints
 * --help and --version. It never touches YAML or the input stream. */
#ifndef DMSPR_CLI_H
#define DMSPR_CLI_H

#include "config.h"

enum cli_result {
	CLI_RUN,      /* options parsed; run the filter */
	CLI_DONE,     /* --help or --version was printed successfully */
	CLI_USAGE,    /* bad command line; one error line was printed */
	CLI_CONFIG,   /* a value was rejected; one error line was printed */
	CLI_IO,       /* printing --help or --version failed */
};

/* Parse argv into cfg (which config_init() prepared). Accepts --name,
 * --name=value, --name value, short flags and "--". */
enum cli_result cli_parse(int argc, char **argv, struct config *cfg);

/* The option closest to NAME by edit distance, or NULL when nothing is
 * close. Used for "did you mean" hints. */
const char *cli_suggest(const char *name);

#endif
