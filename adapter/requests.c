/* The request table: every DAP command gobp-dap answers, its handler, and the capability
 * it backs. initialize advertises exactly the capabilities of the handlers listed here. */
#include "session.h"

#include <string.h>

const request_entry request_table[] = {
    { "initialize", req_initialize, { NULL } },
    { "launch", req_launch, { NULL } },
    { "attach", req_attach, { NULL } },
    { "configurationDone", req_configuration_done, { "supportsConfigurationDoneRequest" } },
    { "disconnect", req_disconnect, { "supportTerminateDebuggee" } },
    { "terminate", req_terminate, { "supportsTerminateRequest" } },
    { "setBreakpoints", req_set_breakpoints,
      { "supportsConditionalBreakpoints", "supportsHitConditionalBreakpoints", "supportsLogPoints" } },
    { "setFunctionBreakpoints", req_set_function_breakpoints, { "supportsFunctionBreakpoints" } },
    { "setExceptionBreakpoints", req_set_exception_breakpoints, { NULL } },
    { "exceptionInfo", req_exception_info, { "supportsExceptionInfoRequest" } },
    { "continue", req_continue, { NULL } },
    { "pause", req_pause, { NULL } },
    { "next", req_next, { NULL } },
    { "stepIn", req_step_in, { NULL } },
    { "stepOut", req_step_out, { NULL } },
    { "threads", req_threads, { NULL } },
    { "stackTrace", req_stack_trace, { "supportsDelayedStackTraceLoading" } },
    { "scopes", req_scopes, { NULL } },
    { "variables", req_variables, { NULL } },
    { "evaluate", req_evaluate, { "supportsEvaluateForHovers" } },
    { "setVariable", req_set_variable, { "supportsSetVariable" } },
    { "disassemble", req_disassemble, { "supportsDisassembleRequest" } },
    /* gobp-dap's own requests (README: "Custom requests") */
    { "setHandlerBreakpoints", req_set_handler_breakpoints, { NULL } },
    { "gobpForceReturn", req_force_return, { NULL } },
    { "setTracepoints", req_set_tracepoints, { NULL } },
    { NULL, NULL, { NULL } },
};

const request_entry *request_lookup(const char *command)
{
    for (const request_entry *e = request_table; command && e->command; e++)
        if (strcmp(e->command, command) == 0)
            return e;
    return NULL;
}
