/* The request table: every DAP command gobp-dap answers, its handler, what it needs (a
 * program, a stopped program: dispatch checks, one wording each) and the capabilities it
 * backs. initialize advertises exactly the capabilities of the handlers listed here. */
#include "session.h"

#include <string.h>

const request_entry request_table[] = {
    { "initialize", req_initialize, NEEDS_NOTHING, { NULL } },
    { "launch", req_launch, NEEDS_NO_PROGRAM, { NULL } },
    { "attach", req_attach, NEEDS_NO_PROGRAM, { NULL } },
    { "configurationDone", req_configuration_done, NEEDS_NOTHING, { "supportsConfigurationDoneRequest" } },
    { "disconnect", req_disconnect, NEEDS_NOTHING, { "supportTerminateDebuggee" } },
    { "terminate", req_terminate, NEEDS_NOTHING, { "supportsTerminateRequest" } },
    { "setBreakpoints", req_set_breakpoints, NEEDS_NOTHING,
      { "supportsConditionalBreakpoints", "supportsHitConditionalBreakpoints", "supportsLogPoints" } },
    { "setFunctionBreakpoints", req_set_function_breakpoints, NEEDS_NOTHING, { "supportsFunctionBreakpoints" } },
    { "setInstructionBreakpoints", req_set_instruction_breakpoints, NEEDS_PROGRAM, { "supportsInstructionBreakpoints" } },
    { "setExceptionBreakpoints", req_set_exception_breakpoints, NEEDS_NOTHING, { NULL } },
    { "exceptionInfo", req_exception_info, NEEDS_STOPPED, { "supportsExceptionInfoRequest" } },
    { "continue", req_continue, NEEDS_STOPPED, { NULL } },
    { "pause", req_pause, NEEDS_PROGRAM, { NULL } },
    { "next", req_next, NEEDS_STOPPED, { "supportsSteppingGranularity" } },
    { "stepIn", req_step_in, NEEDS_STOPPED, { NULL } },
    { "stepOut", req_step_out, NEEDS_STOPPED, { NULL } },
    { "stepInTargets", req_step_in_targets, NEEDS_STOPPED, { "supportsStepInTargetsRequest" } },
    { "threads", req_threads, NEEDS_NOTHING, { NULL } },
    { "stackTrace", req_stack_trace, NEEDS_STOPPED, { "supportsDelayedStackTraceLoading" } },
    { "scopes", req_scopes, NEEDS_STOPPED, { NULL } },
    { "variables", req_variables, NEEDS_STOPPED, { NULL } },
    { "evaluate", req_evaluate, NEEDS_STOPPED, { "supportsEvaluateForHovers" } },
    { "setVariable", req_set_variable, NEEDS_STOPPED, { "supportsSetVariable" } },
    { "disassemble", req_disassemble, NEEDS_STOPPED, { "supportsDisassembleRequest" } },
    { "dataBreakpointInfo", req_data_breakpoint_info, NEEDS_STOPPED, { "supportsDataBreakpoints" } },
    { "setDataBreakpoints", req_set_data_breakpoints, NEEDS_STOPPED, { NULL } },
    { "completions", req_completions, NEEDS_STOPPED, { "supportsCompletionsRequest" } },
    { "readMemory", req_read_memory, NEEDS_STOPPED, { "supportsReadMemoryRequest" } },
    { "writeMemory", req_write_memory, NEEDS_STOPPED, { "supportsWriteMemoryRequest" } },
    { "breakpointLocations", req_breakpoint_locations, NEEDS_PROGRAM, { "supportsBreakpointLocationsRequest" } },
    { "loadedSources", req_loaded_sources, NEEDS_PROGRAM, { "supportsLoadedSourcesRequest" } },
    /* gobp-dap's own requests (README: "Custom requests") */
    { "setHandlerBreakpoints", req_set_handler_breakpoints, NEEDS_PROGRAM, { NULL } },
    { "gobpForceReturn", req_force_return, NEEDS_STOPPED, { NULL } },
    { "setTracepoints", req_set_tracepoints, NEEDS_PROGRAM, { NULL } },
    { NULL, NULL, NEEDS_NOTHING, { NULL } },
};

const request_entry *request_lookup(const char *command)
{
    for (const request_entry *e = request_table; command && e->command; e++)
        if (strcmp(e->command, command) == 0)
            return e;
    return NULL;
}

const char *request_unmet_need(request_needs needs, bool have_program, bool running)
{
    switch (needs) {
    case NEEDS_NO_PROGRAM:
        return have_program ? "a program is already being debugged in this session" : NULL;
    case NEEDS_PROGRAM:
        return have_program ? NULL : NO_PROGRAM_MESSAGE;
    case NEEDS_STOPPED:
        if (!have_program)
            return NO_PROGRAM_MESSAGE;
        return running ? "the program is running; pause it or wait for a stop" : NULL;
    case NEEDS_NOTHING:
        break;
    }
    return NULL;
}
