/* Subcommands of the gobp-dap command line that run without an editor. */
#ifndef GOBP_CLI_H
#define GOBP_CLI_H

/* gobp-dap run [--handler-timeout MS] --handler FUNC=PLUGIN.so[:CONFIG] ... -- PROGRAM [ARGS...]
 * argv[0] is "run". Returns the process exit code. */
int cli_run(int argc, char **argv);

/* gobp-dap trace [OPTIONS] REGEXP... -- PROGRAM [ARGS...] | --pid PID. argv[0] is "trace". */
int cli_trace(int argc, char **argv);

#endif
