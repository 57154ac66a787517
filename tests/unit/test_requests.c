/* test_requests.c — unit tests for the adapter's request plumbing: the request table's
 * preconditions (one wording per unmet need) and launch/attach arguments parsed into a
 * launch_config (defaults, every attribute, type errors that name the attribute). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "launch_config.h"
#include "session.h"

/* ---- the request table ---- */

Test(requests, every_entry_has_a_handler_and_the_program_requests_need_a_program)
{
    int n = 0;
    for (const request_entry *e = request_table; e->command; e++, n++)
        cr_assert_not_null(e->handler, "%s", e->command);
    cr_assert_gt(n, 20);
    cr_assert_eq(request_lookup("launch")->needs, NEEDS_NO_PROGRAM);
    cr_assert_eq(request_lookup("attach")->needs, NEEDS_NO_PROGRAM);
    cr_assert_eq(request_lookup("pause")->needs, NEEDS_PROGRAM);
    cr_assert_eq(request_lookup("setTracepoints")->needs, NEEDS_PROGRAM);
    cr_assert_eq(request_lookup("setHandlerBreakpoints")->needs, NEEDS_PROGRAM);
    const char *stopped[] = { "continue", "next", "stepIn", "stepOut", "stackTrace", "scopes", "variables",
                              "evaluate", "setVariable", "disassemble", "exceptionInfo", "gobpForceReturn" };
    for (size_t i = 0; i < sizeof stopped / sizeof *stopped; i++)
        cr_assert_eq(request_lookup(stopped[i])->needs, NEEDS_STOPPED, "%s", stopped[i]);
    const char *anytime[] = { "initialize", "configurationDone", "disconnect", "terminate", "threads",
                              "setBreakpoints", "setFunctionBreakpoints", "setExceptionBreakpoints" };
    for (size_t i = 0; i < sizeof anytime / sizeof *anytime; i++)
        cr_assert_eq(request_lookup(anytime[i])->needs, NEEDS_NOTHING, "%s", anytime[i]);
    cr_assert_null(request_lookup("noSuchRequest"));
}

Test(requests, unmet_needs_have_one_wording_each)
{
    cr_assert_null(request_unmet_need(NEEDS_NOTHING, false, false));
    cr_assert_null(request_unmet_need(NEEDS_NO_PROGRAM, false, false));
    cr_assert_str_eq(request_unmet_need(NEEDS_NO_PROGRAM, true, true), "a program is already being debugged in this session");
    cr_assert_str_eq(request_unmet_need(NEEDS_PROGRAM, false, false), "no program is being debugged (launch or attach first)");
    cr_assert_null(request_unmet_need(NEEDS_PROGRAM, true, true));
    cr_assert_str_eq(request_unmet_need(NEEDS_STOPPED, false, false), "no program is being debugged (launch or attach first)");
    cr_assert_str_eq(request_unmet_need(NEEDS_STOPPED, true, true), "the program is running; pause it or wait for a stop");
    cr_assert_null(request_unmet_need(NEEDS_STOPPED, true, false));
}

/* ---- launch_config ---- */

static int parse(const char *json, const char *command, launch_config *cfg, char *err, size_t errlen)
{
    json_object *args = json_tokener_parse(json);
    cr_assert_not_null(args, "test JSON: %s", json);
    err[0] = 0;
    int rc = launch_config_parse(args, command, cfg, err, errlen);
    json_object_put(args);   /* the config owns copies */
    return rc;
}

static void expect_error(const char *json, const char *command, const char *message)
{
    launch_config cfg;
    char err[512];
    cr_assert_eq(parse(json, command, &cfg, err, sizeof err), -1, "%s must fail", json);
    cr_assert_str_eq(err, message, "%s", json);
}

Test(launch_config, defaults)
{
    launch_config cfg;
    char err[256];
    cr_assert_eq(parse("{\"program\": \"/bin/x\", \"name\": \"editor's own\", \"cwd\": null}", "launch", &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(cfg.program, "/bin/x");
    cr_assert_null(cfg.cwd, "null takes the default");
    cr_assert(cfg.disable_aslr, "ASLR off by default, as Delve");
    cr_assert(cfg.terminate_debuggee, "a launched program is killed on disconnect");
    cr_assert_not(cfg.stop_on_entry);
    cr_assert_eq(cfg.nargs, 0);
    cr_assert_null(cfg.trace);
    cr_assert_null(cfg.handlers);
    cr_assert_eq(cfg.handler_timeout_ms, 0);
    launch_config_free(&cfg);
    cr_assert_eq(parse("{\"processId\": 1234}", "attach", &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cfg.process_id, 1234);
    cr_assert_not(cfg.terminate_debuggee, "an attached program is left running on disconnect");
    launch_config_free(&cfg);
}

Test(launch_config, every_attribute)
{
    launch_config cfg;
    char err[256];
    const char *json =
        "{\"program\": \"./cmd\", \"mode\": \"debug\", \"args\": [\"-v\", \"x y\"], \"cwd\": \"/tmp\","
        " \"env\": {\"A\": \"1\", \"GOFLAGS\": null}, \"buildFlags\": \"-tags  foo\ty\", \"stopOnEntry\": true,"
        " \"stdinFrom\": \"in.txt\", \"disableASLR\": false,"
        " \"substitutePath\": [{\"from\": \"/home/me/m\", \"to\": \"example.com/m\"}],"
        " \"handlerBreakpoints\": [{\"function\": \"main.f\", \"plugin\": \"p.so\", \"config\": \"c\"}, {\"plugin\": \"q.so\"}],"
        " \"handlerTimeoutMs\": 5000.0, \"terminateDebuggee\": false,"
        " \"trace\": {\"functions\": [\"main\\\\..*\"], \"output\": \"t.json\", \"format\": \"chrome\", \"maxDepth\": 2,"
        "             \"sample\": 10, \"console\": false}}";
    cr_assert_eq(parse(json, "launch", &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_str_eq(cfg.mode, "debug");
    cr_assert_eq(cfg.nargs, 2);
    cr_assert_str_eq(cfg.args[1], "x y");
    cr_assert_str_eq(cfg.cwd, "/tmp");
    cr_assert_eq(cfg.nenv, 2);
    cr_assert_str_eq(cfg.env[0].name, "A");
    cr_assert_str_eq(cfg.env[0].value, "1");
    cr_assert_null(cfg.env[1].value, "null unsets");
    cr_assert_eq(cfg.nbuild_flags, 3, "a string is split on spaces and tabs");
    cr_assert_str_eq(cfg.build_flags[1], "foo");
    cr_assert(cfg.stop_on_entry);
    cr_assert_str_eq(cfg.stdin_from, "in.txt");
    cr_assert_not(cfg.disable_aslr);
    cr_assert_eq(cfg.nsubstitute_path, 1);
    cr_assert_str_eq(cfg.substitute_path[0].to, "example.com/m");
    cr_assert_eq(cfg.nhandlers, 2);
    cr_assert_str_eq(cfg.handlers[0].config, "c");
    cr_assert_null(cfg.handlers[1].function, "a missing function stays NULL (reported as unverified)");
    cr_assert_eq(cfg.handler_timeout_ms, 5000);
    cr_assert_not(cfg.terminate_debuggee);
    cr_assert_not_null(cfg.trace);
    cr_assert_eq(cfg.trace->nfunctions, 1);
    cr_assert_str_eq(cfg.trace->functions[0], "main\\..*");
    cr_assert_str_eq(cfg.trace->format, "chrome");
    cr_assert_eq(cfg.trace->max_depth, 2);
    cr_assert_eq(cfg.trace->max_string, 64, "default");
    cr_assert_eq(cfg.trace->sample, 10);
    cr_assert_not(cfg.trace->console);
    cr_assert(cfg.trace->events, "default");
    launch_config_free(&cfg);
    cr_assert_eq(parse("{\"buildFlags\": [\"-race\", \"-tags=x\"]}", "launch", &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cfg.nbuild_flags, 2);
    launch_config_free(&cfg);
    /* nvim-dap (Lua) sends an empty table as {} */
    cr_assert_eq(parse("{\"args\": {}, \"buildFlags\": {}, \"substitutePath\": {}, \"handlerBreakpoints\": {}}", "launch",
                       &cfg, err, sizeof err), 0, "%s", err);
    cr_assert_eq(cfg.nargs + cfg.nbuild_flags + cfg.nsubstitute_path + cfg.nhandlers, 0);
    launch_config_free(&cfg);
}

Test(launch_config, type_errors_name_the_attribute)
{
    expect_error("{\"args\": \"-v\"}", "launch", "launch: \"args\" must be an array of strings");
    expect_error("{\"args\": [\"-v\", 3]}", "launch", "launch: \"args\" must be an array of strings");
    expect_error("{\"program\": 5}", "launch", "launch: \"program\" must be a string");
    expect_error("{\"stopOnEntry\": \"yes\"}", "launch", "launch: \"stopOnEntry\" must be true or false");
    expect_error("{\"env\": [\"A=1\"]}", "launch", "launch: \"env\" must be an object of strings (null unsets a variable)");
    expect_error("{\"env\": {\"A\": 1}}", "launch", "launch: \"env.A\" must be a string or null");
    expect_error("{\"buildFlags\": 1}", "launch", "launch: \"buildFlags\" must be a string or an array of strings");
    expect_error("{\"buildFlags\": [true]}", "launch", "launch: \"buildFlags\" must be a string or an array of strings");
    expect_error("{\"handlerTimeoutMs\": \"100\"}", "launch", "launch: \"handlerTimeoutMs\" must be an integer (milliseconds)");
    expect_error("{\"handlerTimeoutMs\": 1.5}", "launch", "launch: \"handlerTimeoutMs\" must be an integer (milliseconds)");
    expect_error("{\"handlerBreakpoints\": {\"function\": \"main.f\"}}", "launch",
                 "launch: \"handlerBreakpoints\" must be an array of {\"function\", \"plugin\", \"config\", \"condition\"}");
    expect_error("{\"handlerBreakpoints\": [{\"function\": \"main.f\", \"plugin\": 7}]}", "launch",
                 "launch: \"handlerBreakpoints[0].plugin\" must be a string");
    expect_error("{\"substitutePath\": \"x\"}", "launch",
                 "launch: \"substitutePath\" must be an array of {\"from\": \"/editor/path\", \"to\": \"/path/in/the/binary\"}");
    expect_error("{\"substitutePath\": [{\"from\": \"/a\"}]}", "attach",
                 "attach: \"substitutePath[0]\" must be {\"from\": \"/editor/path\", \"to\": \"/path/in/the/binary\"} with two strings");
    expect_error("{\"trace\": [\"main.f\"]}", "launch",
                 "launch: \"trace\" must be an object such as {\"functions\": [\"main\\\\..*\"]} (README: Call tracing)");
    expect_error("{\"trace\": {\"maxDepth\": \"2\"}}", "launch", "launch: \"trace.maxDepth\" must be an integer");
    expect_error("{\"trace\": {\"packages\": \"main\"}}", "launch", "launch: \"trace.packages\" must be an array of strings");
    expect_error("{\"processId\": \"1234\"}", "attach", "attach: \"processId\" must be a process id (a positive integer)");
    expect_error("{\"processId\": -1}", "attach", "attach: \"processId\" must be a process id (a positive integer)");
    expect_error("{\"terminateDebuggee\": 1}", "attach", "attach: \"terminateDebuggee\" must be true or false");
}

Test(launch_config, handler_specs_of_setHandlerBreakpoints)
{
    json_object *list = json_tokener_parse("[{\"function\": \"main.f\", \"plugin\": \"p.so\"}, 3]");
    handler_spec *specs = NULL;
    int n = -1;
    char err[256];
    cr_assert_eq(handler_specs_parse(list, "setHandlerBreakpoints", "handlers", &specs, &n, err, sizeof err), -1);
    cr_assert_str_eq(err, "setHandlerBreakpoints: \"handlers[1]\" must be an object {\"function\", \"plugin\", \"config\", \"condition\"}");
    json_object_put(list);
    list = json_tokener_parse("[{\"function\": \"main.f\", \"plugin\": \"p.so\"}]");
    cr_assert_eq(handler_specs_parse(list, "x", "y", &specs, &n, err, sizeof err), 0);
    cr_assert_eq(n, 1);
    cr_assert_null(specs[0].config);
    handler_specs_free(specs, n);
    json_object_put(list);
}
