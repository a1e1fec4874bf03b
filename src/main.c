/* main.c -- parse options, run the pipeline from stdin into the spool, and
 * only when everything succeeded copy the spool to stdout and check that it
 * really got there. The only place that chooses the exit status. */
#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "config.h"
#include "diag.h"
#include "pipeline.h"
#include "spool.h"
#include "stream.h"

int
main(int argc, char **argv)
{
	struct config cfg;
	struct stream in;
	struct spool out;
	struct run_stats st;
	enum exit_code status;

	config_init(&cfg);
	switch (cli_parse(argc, argv, &cfg)) {
	case CLI_RUN: break;
	case CLI_DONE: return fclose(stdout) == 0 ? EXIT_OK : EXIT_IO;
	case CLI_USAGE: return EXIT_USAGE;
	case CLI_CONFIG: return EXIT_CONFIG;
	case CLI_IO: return EXIT_IO;
	}
	diag_set_verbose(cfg.verbose);
	if (isatty(STDIN_FILENO)) {
		diag_error("stdin is a terminal; pipe a rendered stream in, e.g. "
			   "'helm template ... | " PROG_NAME "'; try '" PROG_NAME " --help'");
		return EXIT_USAGE;
	}
	/* A closed reader must give EPIPE and a message, not a silent death. */
	signal(SIGPIPE, SIG_IGN);

	stream_init_fd(&in, STDIN_FILENO, cfg.max_document_size);
	spool_init(&out, SPOOL_DEFAULT_MEMORY);
	status = pipeline_run(&cfg, &in, &out, &st);
	stream_free(&in);
	if (status == EXIT_OK && spool_commit(&out, STDOUT_FILENO) != 0)
		status = EXIT_IO;
	spool_free(&out);
	/* close() reports what earlier writes could not, e.g. on NFS. */
	if (close(STDOUT_FILENO) != 0 && status == EXIT_OK) {
		diag_error("closing stdout failed:");
		status = EXIT_IO;
	}
	return (int)status;
}
