/* launch and attach: Delve's launch.json attributes (program, mode, args, cwd, env, buildFlags,
 * stopOnEntry, stdinFrom, disableASLR, substitutePath; processId for attach) turned into a running target,
 * building the package first when program is a directory or a .go file. */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

typedef struct {
    char **items;
    int count, cap;
} strvec;

static void strvec_push(strvec *v, const char *s)
{
    if (v->count + 2 > v->cap) {
        v->cap = v->cap ? v->cap * 2 : 16;
        v->items = realloc(v->items, (size_t)v->cap * sizeof *v->items);
    }
    v->items[v->count++] = s ? strdup(s) : NULL;
    v->items[v->count] = NULL;
}

static void strvec_free(strvec *v)
{
    for (int i = 0; i < v->count; i++)
        free(v->items[i]);
    free(v->items);
}

/* program resolved against cwd when relative. */
static char *resolve_path(const char *path, const char *cwd)
{
    char buf[PATH_MAX];
    if (path[0] == '/' || !cwd)
        snprintf(buf, sizeof buf, "%s", path);
    else
        snprintf(buf, sizeof buf, "%s/%s", cwd, path);
    char *real = realpath(buf, NULL);
    return real ? real : strdup(buf);
}

/* The environment: ours, with the launch "env" map applied (null unsets). */
static void build_env(json_object *env_map, strvec *env)
{
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        char key[256];
        snprintf(key, sizeof key, "%.*s", eq ? (int)(eq - *e) : (int)strlen(*e), *e);
        if (!env_map || !json_object_object_get_ex(env_map, key, NULL))
            strvec_push(env, *e);
    }
    if (!env_map)
        return;
    json_object_object_foreach(env_map, key, val) {
        if (!val || json_object_is_type(val, json_type_null))
            continue;
        char *kv;
        if (asprintf(&kv, "%s=%s", key, json_object_get_string(val)) < 0)
            continue;
        strvec_push(env, kv);
        free(kv);
    }
}

/* buildFlags: a string (split on spaces, as Delve does) or an array of strings. */
static void push_build_flags(json_object *flags, strvec *argv)
{
    if (!flags)
        return;
    if (json_object_is_type(flags, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(flags); i++)
            strvec_push(argv, json_object_get_string(json_object_array_get_idx(flags, i)));
        return;
    }
    char *copy = strdup(json_object_get_string(flags));
    for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
        strvec_push(argv, w);
    free(copy);
}

/* Runs `go build` (or `go test -c`) and captures its output; 0 on success. The go command is
 * the first `go` in the PATH of envp (gobp-dap's environment with the launch "env" applied),
 * and envp is the build's environment (GOFLAGS, GOTOOLCHAIN, CGO_ENABLED, ...). */
static int go_build(session *s, const char *dir, const char *target, bool test, json_object *flags,
                    char **envp, char *out, size_t outlen, char *msg, size_t msglen)
{
    char tmpl[] = "/tmp/gobp-dap-build-XXXXXX";
    if (!mkdtemp(tmpl)) {
        snprintf(msg, msglen, "cannot create a temporary directory: %s", strerror(errno));
        return -1;
    }
    s->built_dir = strdup(tmpl);
    snprintf(out, outlen, "%s/__debug_bin", tmpl);
    strvec argv = { 0 };
    strvec_push(&argv, "go");
    strvec_push(&argv, test ? "test" : "build");
    if (test)
        strvec_push(&argv, "-c");
    strvec_push(&argv, "-gcflags=all=-N -l");
    strvec_push(&argv, "-o");
    strvec_push(&argv, out);
    push_build_flags(flags, &argv);
    strvec_push(&argv, target);
    int pipefd[2];
    if (pipe(pipefd) < 0) {
        strvec_free(&argv);
        snprintf(msg, msglen, "pipe: %s", strerror(errno));
        return -1;
    }
    pid_t pid = fork();
    if (pid == 0) {
        dup2(pipefd[1], 1);
        dup2(pipefd[1], 2);
        close(pipefd[0]);
        if (chdir(dir) < 0)
            _exit(126);
        environ = envp;
        execvp("go", argv.items);
        fprintf(stderr, "cannot run the go command: %s", strerror(errno));
        _exit(127);
    }
    close(pipefd[1]);
    size_t used = 0;
    char buf[4096];
    ssize_t n;
    char *output = calloc(1, 65536);
    while ((n = read(pipefd[0], buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
        if (n > 0 && used + (size_t)n < 65535) {
            memcpy(output + used, buf, (size_t)n);
            used += (size_t)n;
        }
    close(pipefd[0]);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    strvec_free(&argv);
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    if (!ok)
        snprintf(msg, msglen, "build of %s failed:\n%s", target, output);
    free(output);
    if (!ok)
        return -1;
    s->built_binary = strdup(out);
    return 0;
}

/* Works out the executable to run: program itself (mode exec, or an ELF), or a build. */
static char *program_executable(session *s, const char *program, const char *mode, json_object *flags,
                                char **envp, char *msg, size_t msglen)
{
    struct stat st;
    if (stat(program, &st) < 0) {
        snprintf(msg, msglen, "program %s does not exist", program);
        return NULL;
    }
    size_t len = strlen(program);
    bool is_go_file = len > 3 && strcmp(program + len - 3, ".go") == 0;
    bool test = mode && strcmp(mode, "test") == 0;
    if (S_ISDIR(st.st_mode) || is_go_file) {
        if (mode && strcmp(mode, "exec") == 0) {
            snprintf(msg, msglen, "mode \"exec\" needs a built binary, but %s is a %s", program,
                     S_ISDIR(st.st_mode) ? "directory" : "Go source file");
            return NULL;
        }
        char dir[PATH_MAX], out[PATH_MAX];
        snprintf(dir, sizeof dir, "%s", program);
        const char *target = ".";
        if (is_go_file) {
            char *slash = strrchr(dir, '/');
            if (slash)
                *slash = 0;
            target = strrchr(program, '/') ? strrchr(program, '/') + 1 : program;
        }
        if (go_build(s, dir, target, test, flags, envp, out, sizeof out, msg, msglen) < 0)
            return NULL;
        return strdup(out);
    }
    return strdup(program);
}

static int open_stdin(const char *path, char *msg, size_t msglen)
{
    if (!path)
        return -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        snprintf(msg, msglen, "stdinFrom: cannot open %s: %s", path, strerror(errno));
    return fd;
}

static void send_process_event(session *s, const char *name, bool local)
{
    json_object *ev = session_event(s, "process");
    json_object *body = dap_body(ev);
    json_object_object_add(body, "name", json_object_new_string(name));
    json_object_object_add(body, "systemProcessId", json_object_new_int(target_pid(s->target)));
    json_object_object_add(body, "isLocalProcess", json_object_new_boolean(1));
    json_object_object_add(body, "startMethod", json_object_new_string(local ? "launch" : "attach"));
    session_send(s, ev);
}

static void launch_ready(session *s, json_object *req, json_object *args, const char *name, bool launched)
{
    target_set_message_fn(s->target, session_on_target_message, s);
    int64_t timeout = dap_get_int(args, "handlerTimeoutMs", 0);
    if (timeout > 0)
        target_set_handler_timeout(s->target, (int)timeout);
    send_process_event(s, name, launched);
    json_object *handlers = NULL;
    if (json_object_object_get_ex(args, "handlerBreakpoints", &handlers))
        session_set_handlers(s, handlers, NULL, true);
    json_object *trace = NULL;
    if (json_object_object_get_ex(args, "trace", &trace))
        session_trace_configure(s, trace);
    session_respond_ok(s, req, NULL);
    session_send(s, session_event(s, "initialized"));
}

/* The substitutePath attribute; a malformed one fails the request. */
static bool substitute_path(session *s, json_object *req, json_object *args)
{
    json_object *rules = NULL;
    char err[256];
    json_object_object_get_ex(args, "substitutePath", &rules);
    if (session_set_substitute_path(s, rules, err, sizeof err) == 0)
        return true;
    session_respond_error(s, req, "%s", err);
    return false;
}

DECLARE_REQUEST(req_launch)
{
    if (s->target) {
        session_respond_error(s, req, "a program is already being debugged in this session");
        return;
    }
    const char *program = dap_get_string(args, "program", NULL);
    if (!program || !*program) {
        session_respond_error(s, req, "launch: the \"program\" attribute is required (a Go binary, package directory or .go file)");
        return;
    }
    if (!substitute_path(s, req, args))
        return;
    const char *cwd = dap_get_string(args, "cwd", NULL);
    const char *mode = dap_get_string(args, "mode", NULL);
    json_object *flags = NULL, *env_map = NULL, *argv_json = NULL;
    json_object_object_get_ex(args, "buildFlags", &flags);
    json_object_object_get_ex(args, "env", &env_map);
    json_object_object_get_ex(args, "args", &argv_json);
    s->stop_on_entry = dap_get_bool(args, "stopOnEntry", false);
    if (cwd) {
        struct stat st;
        if (stat(cwd, &st) < 0 || !S_ISDIR(st.st_mode)) {
            session_respond_error(s, req, "cwd %s is not a directory", cwd);
            return;
        }
    }
    char msg[8192];
    free(s->cwd);
    s->cwd = cwd ? strdup(cwd) : getcwd(NULL, 0);
    char *path = resolve_path(program, cwd);
    strvec argv = { 0 }, env = { 0 };
    build_env(env_map && json_object_is_type(env_map, json_type_object) ? env_map : NULL, &env);
    char *exe = program_executable(s, path, mode, flags, env.items, msg, sizeof msg);
    if (!exe) {
        session_respond_error(s, req, "%s", msg);
        session_end_debuggee(s, true);
        strvec_free(&env);
        free(path);
        return;
    }
    strvec_push(&argv, exe);
    if (argv_json && json_object_is_type(argv_json, json_type_array))
        for (size_t i = 0; i < json_object_array_length(argv_json); i++)
            strvec_push(&argv, json_object_get_string(json_object_array_get_idx(argv_json, i)));

    int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
    int in_fd = -1;
    const char *stdin_from = dap_get_string(args, "stdinFrom", NULL);
    msg[0] = 0;
    if (stdin_from && (in_fd = open_stdin(stdin_from, msg, sizeof msg)) < 0) {
        session_respond_error(s, req, "%s", msg);
    } else if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        session_respond_error(s, req, "pipe: %s", strerror(errno));
    } else {
        gobp_launch_opts opts = {
            .path = exe, .argv = argv.items, .envp = env.items, .cwd = cwd,
            .stdin_fd = in_fd, .stdout_fd = out[1], .stderr_fd = errp[1],
            .disable_aslr = dap_get_bool(args, "disableASLR", true),   /* as Delve: same addresses every run */
        };
        s->target = target_launch(&opts, msg, sizeof msg);
        close(out[1]);
        close(errp[1]);
        out[1] = errp[1] = -1;
        if (!s->target) {
            close(out[0]);
            close(errp[0]);
            session_respond_error(s, req, "%s", msg);
            session_end_debuggee(s, true);
        } else {
            fcntl(out[0], F_SETFL, O_NONBLOCK);
            fcntl(errp[0], F_SETFL, O_NONBLOCK);
            session_watch_output(s, out[0], errp[0]);
            launch_ready(s, req, args, path, true);
        }
    }
    if (in_fd >= 0)
        close(in_fd);
    strvec_free(&argv);
    strvec_free(&env);
    free(exe);
    free(path);
}

DECLARE_REQUEST(req_attach)
{
    if (s->target) {
        session_respond_error(s, req, "a program is already being debugged in this session");
        return;
    }
    int64_t pid = dap_get_int(args, "processId", 0);
    if (pid <= 0) {
        session_respond_error(s, req, "attach: the \"processId\" attribute (a running Go program's pid) is required");
        return;
    }
    if (!substitute_path(s, req, args))
        return;
    char msg[1024];
    s->target = target_attach((pid_t)pid, msg, sizeof msg);
    if (!s->target) {
        session_respond_error(s, req, "attach to process %lld: %s", (long long)pid, msg);
        return;
    }
    s->attached = true;
    free(s->cwd);
    s->cwd = dap_get_string(args, "cwd", NULL) ? strdup(dap_get_string(args, "cwd", NULL)) : getcwd(NULL, 0);
    s->stop_on_entry = dap_get_bool(args, "stopOnEntry", false);
    char name[64];
    snprintf(name, sizeof name, "process %lld", (long long)pid);
    launch_ready(s, req, args, name, false);
}
