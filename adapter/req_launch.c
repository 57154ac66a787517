/* launch and attach: a launch_config (launch_config.c parses the arguments) turned into a
 * running target, building the package first when program is a directory or a .go file. */
#include "alloc.h"
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
        v->items = xrealloc(v->items, (size_t)v->cap * sizeof *v->items);
    }
    v->items[v->count++] = s ? xstrdup(s) : NULL;
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
    return real ? real : xstrdup(buf);
}

/* The environment: ours, with the launch "env" settings applied (a NULL value unsets). */
static void build_env(const launch_config *cfg, strvec *env)
{
    for (char **e = environ; *e; e++) {
        const char *eq = strchr(*e, '=');
        size_t len = eq ? (size_t)(eq - *e) : strlen(*e);
        bool overridden = false;
        for (int i = 0; i < cfg->nenv && !overridden; i++)
            overridden = strlen(cfg->env[i].name) == len && strncmp(cfg->env[i].name, *e, len) == 0;
        if (!overridden)
            strvec_push(env, *e);
    }
    for (int i = 0; i < cfg->nenv; i++) {
        if (!cfg->env[i].value)
            continue;
        char *kv;
        if (asprintf(&kv, "%s=%s", cfg->env[i].name, cfg->env[i].value) < 0)
            continue;
        strvec_push(env, kv);
        free(kv);
    }
}

/* Runs `go build` (or `go test -c`) and captures its output; 0 on success. The go command is
 * the first `go` in the PATH of envp (gobp-dap's environment with the launch "env" applied),
 * and envp is the build's environment (GOFLAGS, GOTOOLCHAIN, CGO_ENABLED, ...). */
static int go_build(session *s, const char *dir, const char *target, bool test, const launch_config *cfg,
                    char **envp, char *out, size_t outlen, char *msg, size_t msglen)
{
    char tmpl[] = "/tmp/gobp-dap-build-XXXXXX";
    if (!mkdtemp(tmpl)) {
        snprintf(msg, msglen, "cannot create a temporary directory: %s", strerror(errno));
        return -1;
    }
    s->built_dir = xstrdup(tmpl);
    snprintf(out, outlen, "%s/__debug_bin", tmpl);
    strvec argv = { 0 };
    strvec_push(&argv, "go");
    strvec_push(&argv, test ? "test" : "build");
    if (test)
        strvec_push(&argv, "-c");
    strvec_push(&argv, "-gcflags=all=-N -l");
    strvec_push(&argv, "-o");
    strvec_push(&argv, out);
    for (int i = 0; i < cfg->nbuild_flags; i++)
        strvec_push(&argv, cfg->build_flags[i]);
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
    char *output = xcalloc(1, 65536);
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
    s->built_binary = xstrdup(out);
    return 0;
}

/* Works out the executable to run: program itself (mode exec, or an ELF), or a build. */
static char *program_executable(session *s, const char *program, const launch_config *cfg,
                                char **envp, char *msg, size_t msglen)
{
    struct stat st;
    if (stat(program, &st) < 0) {
        snprintf(msg, msglen, "program %s does not exist", program);
        return NULL;
    }
    size_t len = strlen(program);
    bool is_go_file = len > 3 && strcmp(program + len - 3, ".go") == 0;
    const char *mode = cfg->mode;
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
        if (go_build(s, dir, target, test, cfg, envp, out, sizeof out, msg, msglen) < 0)
            return NULL;
        return xstrdup(out);
    }
    return xstrdup(program);
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

/* The program runs (stopped at its entry): handlers, tracing, then initialized. The session
 * takes the trace settings over. */
static void launch_ready(session *s, json_object *req, launch_config *cfg, const char *name, bool launched)
{
    target_set_message_fn(s->target, session_on_target_message, s);
    if (cfg->handler_timeout_ms > 0)
        target_set_handler_timeout(s->target, cfg->handler_timeout_ms);
    if (cfg->call_timeout_ms > 0)
        target_set_call_timeout(s->target, cfg->call_timeout_ms);
    send_process_event(s, name, launched);
    if (cfg->handlers)
        session_set_handlers(s, cfg->handlers, cfg->nhandlers, NULL, true);
    session_trace_configure(s, cfg->trace);
    cfg->trace = NULL;
    session_respond_ok(s, req, NULL);
    session_send(s, session_event(s, "initialized"));
}

/* What the session keeps of the configuration: substitutePath, stopOnEntry, the disconnect
 * default, the goroutine views (hideSystemGoroutines, goroutineFilters, showPprofLabels) and
 * cwd (relative plugin and trace paths). */
static void session_configure(session *s, launch_config *cfg)
{
    session_set_path_rules(s, cfg->substitute_path, cfg->nsubstitute_path);
    cfg->substitute_path = NULL;
    cfg->nsubstitute_path = 0;
    s->stop_on_entry = cfg->stop_on_entry;
    s->terminate_debuggee = cfg->terminate_debuggee;
    s->hide_system_goroutines = cfg->hide_system_goroutines;
    target_goroutine_filter_free(s->goroutine_filter);
    s->goroutine_filter = cfg->goroutine_filter;
    cfg->goroutine_filter = NULL;
    for (int i = 0; i < s->npprof_labels; i++)
        free(s->pprof_labels[i]);
    free(s->pprof_labels);
    s->pprof_labels = cfg->pprof_labels;
    s->npprof_labels = cfg->npprof_labels;
    cfg->pprof_labels = NULL;
    cfg->npprof_labels = 0;
    free(s->cwd);
    s->cwd = cfg->cwd ? xstrdup(cfg->cwd) : getcwd(NULL, 0);
}

DECLARE_REQUEST(req_launch)
{
    launch_config cfg;
    char msg[8192];
    if (launch_config_parse(args, "launch", &cfg, msg, sizeof msg) < 0) {
        session_respond_error(s, req, "%s", msg);
        return;
    }
    if (!cfg.program || !*cfg.program) {
        session_respond_error(s, req, "launch: the \"program\" attribute is required (a Go binary, package directory or .go file)");
        launch_config_free(&cfg);
        return;
    }
    struct stat st;
    if (cfg.cwd && (stat(cfg.cwd, &st) < 0 || !S_ISDIR(st.st_mode))) {
        session_respond_error(s, req, "launch: cwd %s is not a directory", cfg.cwd);
        launch_config_free(&cfg);
        return;
    }
    if (s->no_spawn) {
        session_respond_error(s, req, "launch: this session starts no programs");
        launch_config_free(&cfg);
        return;
    }
    session_configure(s, &cfg);
    char *path = resolve_path(cfg.program, cfg.cwd);
    strvec argv = { 0 }, env = { 0 };
    build_env(&cfg, &env);
    char *exe = program_executable(s, path, &cfg, env.items, msg, sizeof msg);
    if (!exe) {
        session_respond_error(s, req, "%s", msg);
        session_end_debuggee(s, true);
        strvec_free(&env);
        free(path);
        launch_config_free(&cfg);
        return;
    }
    strvec_push(&argv, exe);
    for (int i = 0; i < cfg.nargs; i++)
        strvec_push(&argv, cfg.args[i]);

    int out[2] = { -1, -1 }, errp[2] = { -1, -1 };
    int in_fd = -1;
    msg[0] = 0;
    if (cfg.stdin_from && (in_fd = open_stdin(cfg.stdin_from, msg, sizeof msg)) < 0) {
        session_respond_error(s, req, "%s", msg);
    } else if (pipe2(out, O_CLOEXEC) < 0 || pipe2(errp, O_CLOEXEC) < 0) {
        session_respond_error(s, req, "pipe: %s", strerror(errno));
    } else {
        gobp_launch_opts opts = {
            .path = exe, .argv = argv.items, .envp = env.items, .cwd = cfg.cwd,
            .stdin_fd = in_fd, .stdout_fd = out[1], .stderr_fd = errp[1],
            .disable_aslr = cfg.disable_aslr,
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
            launch_ready(s, req, &cfg, path, true);
        }
    }
    if (in_fd >= 0)
        close(in_fd);
    strvec_free(&argv);
    strvec_free(&env);
    free(exe);
    free(path);
    launch_config_free(&cfg);
}

DECLARE_REQUEST(req_attach)
{
    launch_config cfg;
    char msg[1024];
    if (launch_config_parse(args, "attach", &cfg, msg, sizeof msg) < 0) {
        session_respond_error(s, req, "%s", msg);
        return;
    }
    if (cfg.process_id <= 0) {
        session_respond_error(s, req, "attach: the \"processId\" attribute (a running Go program's pid) is required");
        launch_config_free(&cfg);
        return;
    }
    if (s->no_spawn) {
        session_respond_error(s, req, "attach: this session attaches to no programs");
        launch_config_free(&cfg);
        return;
    }
    session_configure(s, &cfg);
    s->target = target_attach(cfg.process_id, msg, sizeof msg);
    if (!s->target) {
        session_respond_error(s, req, "attach to process %lld: %s", (long long)cfg.process_id, msg);
        launch_config_free(&cfg);
        return;
    }
    s->attached = true;
    char name[64];
    snprintf(name, sizeof name, "process %lld", (long long)cfg.process_id);
    launch_ready(s, req, &cfg, name, false);
    launch_config_free(&cfg);
}
