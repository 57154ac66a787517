/* Tests of core/proc (launch, attach, wait loop, sites with XOL, stop/resume, kill,
 * detach) on real Go programs built at test time with every installed Go toolchain. */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/insn.h"
#include "proc/proc.h"

#include "go_toolchains.h"
extern char **environ;

/* ---- helpers: building programs, symbols, running ---- */

static char build_dir[256];

static void make_build_dir(void)
{
    if (build_dir[0])
        return;
    snprintf(build_dir, sizeof build_dir, "/tmp/gobp-test-proc-XXXXXX");
    cr_assert_not_null(mkdtemp(build_dir));
}

/* Builds tests/programs/NAME with toolchain go; returns the binary's path (static buffer). */
static const char *build(const char *go, const char *name)
{
    static char out[512];
    char cmd[2048], cwd[512];
    make_build_dir();
    cr_assert_not_null(getcwd(cwd, sizeof cwd));
    snprintf(out, sizeof out, "%s/%s-%s", build_dir, name, go);
    for (char *c = out + strlen(build_dir) + 1; *c; c++)
        if (*c == '/') *c = '_';
    snprintf(cmd, sizeof cmd, "cd %s/tests/programs/%s && GOFLAGS=-mod=mod %s build -gcflags=all='-N -l' -o %s . 2>&1",
             cwd, name, go, out);
    int rc = system(cmd);
    cr_assert_eq(rc, 0, "build of %s with %s failed", name, go);
    return out;
}

/* Address (and size) of a function symbol, from `go tool nm -size`. */
static uint64_t symbol(const char *go, const char *bin, const char *name, uint64_t *size)
{
    char cmd[1024], line[1024];
    snprintf(cmd, sizeof cmd, "%s tool nm -size %s", go, bin);
    FILE *f = popen(cmd, "r");
    cr_assert_not_null(f);
    uint64_t addr = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long a, s;
        char kind[8], sym[512];
        if (sscanf(line, "%llx %llu %7s %511s", &a, &s, kind, sym) == 4 && strcmp(sym, name) == 0) {
            addr = a;
            if (size) *size = s;
        }
    }
    pclose(f);
    cr_assert_neq(addr, 0, "symbol %s not found in %s", name, bin);
    return addr;
}

static gobp_process *launch(const char *bin, char *const argv[], int out_fd)
{
    gobp_launch_opts o = {.path = bin, .argv = argv, .envp = environ, .stdin_fd = -1,
                          .stdout_fd = out_fd, .stderr_fd = -1};
    char err[512] = "";
    gobp_process *p = proc_launch(&o, err, sizeof err);
    cr_assert_not_null(p, "launch failed: %s", err);
    return p;
}

static gobp_event wait_event(gobp_process *p, int timeout_ms)
{
    gobp_event ev;
    int r = proc_wait(p, &ev, timeout_ms);
    cr_assert_eq(r, 1, "no event within %d ms (r=%d)", timeout_ms, r);
    return ev;
}

static void expect_exit(gobp_process *p, int code)
{
    gobp_event ev = wait_event(p, 120000);
    cr_assert_eq(ev.kind, GOBP_EV_EXITED, "expected exit, got event %d (signo %d)", ev.kind, ev.signo);
    cr_assert_eq(ev.exit_code, code);
}

static void read_all(int fd, char *buf, size_t cap)
{
    size_t n = 0;
    ssize_t r;
    while (n + 1 < cap && (r = read(fd, buf + n, cap - 1 - n)) > 0)
        n += (size_t)r;
    buf[n] = 0;
}

/* The program's stdout when it runs alone. */
static void run_plain(char *const argv[], char *buf, size_t cap)
{
    int fds[2];
    cr_assert_eq(pipe(fds), 0);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 2);
        close(fds[0]);
        execv(argv[0], argv);
        _exit(127);
    }
    close(fds[1]);
    read_all(fds[0], buf, cap);
    close(fds[0]);
    waitpid(pid, NULL, 0);
}

static bool all_threads_stopped(gobp_process *p)
{
    pid_t tids[256];
    int n = proc_threads(p, tids, 256);
    cr_assert_gt(n, 0);
    for (int i = 0; i < n && i < 256; i++)
        if (!proc_thread_stopped(p, tids[i]))
            return false;
    return true;
}

static bool process_gone(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d", pid);
    struct stat st;
    return stat(path, &st) < 0 && waitpid(pid, NULL, WNOHANG) < 0 && errno == ECHILD;
}

#define FOR_EACH_GO(go) \
    for (size_t go##_ = 0; go##_ < go_toolchain_count(); go##_++) \
        for (const char *go = go_toolchain(go##_); go; go = NULL)

/* ---- hit handlers ---- */

typedef struct {
    long hits;
    gobp_hit_action action;
} hit_counter;

static gobp_hit_action count_hit(void *ctx, gobp_process *p, pid_t tid, uint64_t addr)
{
    (void)p; (void)tid; (void)addr;
    hit_counter *c = ctx;
    c->hits++;
    return c->action;
}

typedef struct {
    uint64_t addrs[4];
    long hits[4];
} site_counts;

static gobp_hit_action count_per_site(void *ctx, gobp_process *p, pid_t tid, uint64_t addr)
{
    (void)p; (void)tid;
    site_counts *c = ctx;
    for (int i = 0; i < 4; i++)
        if (c->addrs[i] == addr)
            c->hits[i]++;
    return GOBP_HIT_CONTINUE;
}

/* ---- tests ---- */

static void remove_build_dir(void)
{
    char cmd[300];
    if (!build_dir[0])
        return;
    snprintf(cmd, sizeof cmd, "rm -rf %s", build_dir);
    if (system(cmd) != 0) { /* left behind in /tmp */ }
}

TestSuite(proc, .fini = remove_build_dir);

Test(proc, exec_failure_is_a_sentence)
{
    char *argv[] = {"/nonexistent/prog", NULL};
    gobp_launch_opts o = {.path = argv[0], .argv = argv, .envp = environ,
                          .stdin_fd = -1, .stdout_fd = -1, .stderr_fd = -1};
    char err[256] = "";
    cr_assert_null(proc_launch(&o, err, sizeof err));
    cr_assert_str_eq(err, "cannot execute /nonexistent/prog: No such file or directory");
}

Test(proc, runs_to_exit_with_the_exit_code, .timeout = 600)
{
    FOR_EACH_GO(go) {
        const char *bin = build(go, "values");
        char *argv[] = {(char *)bin, NULL};
        gobp_process *p = launch(bin, argv, -1);
        cr_assert(proc_launched(p));
        cr_assert(!proc_running(p));
        cr_assert(all_threads_stopped(p));
        cr_assert_eq(proc_resume(p), 0);
        expect_exit(p, 3);
        pid_t pid = proc_pid(p);
        proc_kill(p);
        cr_assert(process_gone(pid));
    }
}

Test(proc, stdout_goes_to_the_given_fd, .timeout = 600)
{
    FOR_EACH_GO(go) {
        const char *bin = build(go, "hello");
        char *argv[] = {(char *)bin, "a1", NULL};
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        gobp_process *p = launch(bin, argv, fds[1]);
        close(fds[1]);
        proc_resume(p);
        expect_exit(p, 0);
        proc_kill(p);
        char out[65536];
        read_all(fds[0], out, sizeof out);
        close(fds[0]);
        cr_assert(strstr(out, "hello, world\n") != NULL, "output: %s", out);
        cr_assert(strstr(out, "args: [a1]\n") != NULL);
        cr_assert(strstr(out, "line 199\n") != NULL);
    }
}

Test(proc, stop_site_stops_every_thread, .timeout = 600)
{
    FOR_EACH_GO(go) {
        const char *bin = build(go, "values");
        uint64_t decide = symbol(go, bin, "main.decide", NULL);
        char *argv[] = {(char *)bin, NULL};
        gobp_process *p = launch(bin, argv, -1);
        hit_counter c = {0, GOBP_HIT_STOP};
        proc_set_hit_handler(p, count_hit, &c);
        char err[256] = "";
        uint8_t before, raw;
        cr_assert_eq(proc_read(p, decide, &before, 1), 0);
        cr_assert_eq(proc_site_add(p, decide, err, sizeof err), 0, "%s", err);
        cr_assert(proc_site_at(p, decide));
        uint8_t after;
        cr_assert_eq(proc_read(p, decide, &after, 1), 0);
        cr_assert_eq(after, before, "reads show the original byte");
        char mem[64];
        snprintf(mem, sizeof mem, "/proc/%d/mem", proc_pid(p));
        int memfd = open(mem, O_RDONLY);
        cr_assert_eq(pread(memfd, &raw, 1, (off_t)decide), 1);
        close(memfd);
        cr_assert_eq(raw, 0xcc);
        proc_resume(p);
        for (int hit = 1; hit <= 2; hit++) {
            gobp_event ev = wait_event(p, 60000);
            cr_assert_eq(ev.kind, GOBP_EV_BREAKPOINT, "event %d", ev.kind);
            cr_assert_eq(ev.addr, decide);
            struct user_regs_struct regs;
            cr_assert_eq(proc_get_regs(p, ev.tid, &regs), 0);
            cr_assert_eq(regs.rip, decide);
            cr_assert(all_threads_stopped(p));
            cr_assert(!proc_running(p));
            cr_assert_eq(c.hits, hit);
            proc_resume(p);
        }
        gobp_event ev = wait_event(p, 60000);
        cr_assert_eq(ev.kind, GOBP_EV_BREAKPOINT);
        /* a step runs the displaced instruction only */
        cr_assert_eq(proc_singlestep(p, ev.tid), 0);
        gobp_event st = wait_event(p, 60000);
        cr_assert_eq(st.kind, GOBP_EV_STEPPED);
        cr_assert_eq(st.tid, ev.tid);
        struct user_regs_struct regs;
        proc_get_regs(p, ev.tid, &regs);
        cr_assert_eq(st.addr, regs.rip);
        cr_assert(regs.rip > decide && regs.rip < decide + 16, "rip %llx", regs.rip);
        cr_assert_eq(proc_site_remove(p, decide), 0);
        proc_resume(p);
        expect_exit(p, 3);
        cr_assert_geq(c.hits, 3);
        proc_kill(p);
    }
}

Test(proc, continue_site_counts_every_concurrent_call, .timeout = 900)
{
    FOR_EACH_GO(go) {
        const char *bin = build(go, "hitcount");
        uint64_t work = symbol(go, bin, "main.work", NULL);
        char *argv[] = {(char *)bin, "8", "20000", NULL};
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        gobp_process *p = launch(bin, argv, fds[1]);
        close(fds[1]);
        hit_counter c = {0, GOBP_HIT_CONTINUE};
        proc_set_hit_handler(p, count_hit, &c);
        char err[256] = "";
        cr_assert_eq(proc_site_add(p, work, err, sizeof err), 0, "%s", err);
        proc_resume(p);
        expect_exit(p, 0);
        proc_kill(p);
        char out[4096];
        read_all(fds[0], out, sizeof out);
        close(fds[0]);
        long printed = -1;
        const char *calls = strstr(out, "calls ");
        cr_assert_not_null(calls, "output: %s", out);
        printed = atol(calls + 6);
        cr_assert_eq(printed, 160000, "output: %s", out);
        cr_assert_eq(c.hits, printed, "%s: %ld hits for %ld calls", go, c.hits, printed);
        char plain[4096];
        run_plain(argv, plain, sizeof plain);
        cr_assert_str_eq(out, plain);
    }
}

/* First RIP-relative non-branch, first call rel32 and first conditional jump in [lo,lo+size). */
static void find_interesting(gobp_process *p, uint64_t lo, uint64_t size, uint64_t found[3])
{
    uint8_t *code = malloc(size);
    cr_assert_eq(proc_read(p, lo, code, size), 0);
    insn_walk w;
    insn_step in;
    memset(found, 0, 3 * sizeof found[0]);
    insn_walk_begin(&w, code, size, lo);
    for (int i = 0; insn_walk_next(&w, &in) && in.op != INSN_OP_BAD; i++) {
        insn_info xol;
        char err[128];
        bool riprel = insn_decode(in.bytes, in.len, in.addr, &xol, err, sizeof err) == 0 && xol.rip_relative;
        if (in.op == INSN_OP_CALL && in.bytes[0] == 0xe8 && !found[1] && i > 3)
            found[1] = in.addr;
        else if (riprel && in.op != INSN_OP_CALL && in.op != INSN_OP_CALL_INDIRECT && in.op != INSN_OP_JMP && !found[0])
            found[0] = in.addr;
        else if (in.op == INSN_OP_JCC && !found[2] && i > 3)
            found[2] = in.addr;
    }
    insn_walk_end(&w);
    free(code);
}

Test(proc, rip_relative_call_and_branch_sites_keep_behaviour, .timeout = 600)
{
    FOR_EACH_GO(go) {
        const char *bin = build(go, "hello");
        uint64_t size = 0;
        uint64_t main_main = symbol(go, bin, "main.main", &size);
        char *argv[] = {(char *)bin, "x", NULL};
        char plain[65536];
        run_plain(argv, plain, sizeof plain);
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        gobp_process *p = launch(bin, argv, fds[1]);
        close(fds[1]);
        site_counts c = {{0}, {0}};
        find_interesting(p, main_main, size, c.addrs);
        char err[256] = "";
        for (int i = 0; i < 3; i++) {
            cr_assert_neq(c.addrs[i], 0, "%s: instruction kind %d not found in main.main", go, i);
            cr_assert_eq(proc_site_add(p, c.addrs[i], err, sizeof err), 0, "%s", err);
        }
        proc_set_hit_handler(p, count_per_site, &c);
        proc_resume(p);
        expect_exit(p, 0);
        proc_kill(p);
        char out[65536];
        read_all(fds[0], out, sizeof out);
        close(fds[0]);
        cr_assert_str_eq(out, plain);
        cr_assert_gt(c.hits[0], 0, "rip-relative site at %lx not hit", c.addrs[0]);
        cr_assert_gt(c.hits[1], 0, "call site not hit");
        cr_assert_gt(c.hits[2], 0, "branch site not hit");
    }
}

Test(proc, stop_all_pauses_and_kill_leaves_no_zombie, .timeout = 600)
{
    FOR_EACH_GO(go) {
        const char *bin = build(go, "hitcount");
        char *argv[] = {(char *)bin, "8", "100000000", NULL};
        gobp_process *p = launch(bin, argv, -1);
        proc_resume(p);
        cr_assert(proc_running(p));
        gobp_event ev;
        cr_assert_eq(proc_wait(p, &ev, 300), 0, "nothing visible happens while it runs");
        cr_assert_eq(proc_stop_all(p), 0);
        ev = wait_event(p, 30000);
        cr_assert_eq(ev.kind, GOBP_EV_PAUSED);
        cr_assert_eq(ev.tid, proc_pid(p));
        cr_assert(all_threads_stopped(p));
        pid_t tids[64];
        cr_assert_geq(proc_threads(p, tids, 64), 3, "Go runs several threads");
        proc_resume(p);
        usleep(100000);
        proc_stop_all(p);
        ev = wait_event(p, 30000);
        cr_assert_eq(ev.kind, GOBP_EV_PAUSED);
        pid_t pid = proc_pid(p);
        proc_kill(p);
        cr_assert(process_gone(pid), "pid %d still exists", pid);
    }
}

Test(proc, attach_hit_detach_runs_on, .timeout = 600)
{
    FOR_EACH_GO(go) {
        const char *bin = build(go, "hitcount");
        uint64_t work = symbol(go, bin, "main.work", NULL);
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        pid_t pid = fork();
        if (pid == 0) {
            dup2(fds[1], 1);
            close(fds[0]);
            execl(bin, bin, "8", "40000000", (char *)NULL);
            _exit(127);
        }
        close(fds[1]);
        usleep(200000);
        char err[256] = "";
        gobp_process *p = proc_attach(pid, err, sizeof err);
        cr_assert_not_null(p, "%s", err);
        cr_assert(!proc_launched(p));
        cr_assert(all_threads_stopped(p));
        hit_counter c = {0, GOBP_HIT_STOP};
        proc_set_hit_handler(p, count_hit, &c);
        cr_assert_eq(proc_site_add(p, work, err, sizeof err), 0, "%s", err);
        proc_resume(p);
        gobp_event ev = wait_event(p, 30000);
        cr_assert_eq(ev.kind, GOBP_EV_BREAKPOINT);
        cr_assert_eq(ev.addr, work);
        cr_assert_eq(proc_detach(p), 0);
        int status;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        cr_assert(WIFEXITED(status), "status %x", status);
        cr_assert_eq(WEXITSTATUS(status), 0);
        char out[4096];
        read_all(fds[0], out, sizeof out);
        close(fds[0]);
        cr_assert(strstr(out, "calls 320000000\n") != NULL, "output: %s", out);
    }
}

/* Every 50th hit stops the world while 7 other goroutines keep hitting the same site:
 * hits that race with the stop re-hit after the resume and are counted exactly once. */
static gobp_hit_action stop_every_50th(void *ctx, gobp_process *p, pid_t tid, uint64_t addr)
{
    (void)p; (void)tid; (void)addr;
    hit_counter *c = ctx;
    return ++c->hits % 50 == 0 ? GOBP_HIT_STOP : GOBP_HIT_CONTINUE;
}

Test(proc, stops_racing_with_hits_lose_none, .timeout = 900)
{
    FOR_EACH_GO(go) {
        const char *bin = build(go, "hitcount");
        uint64_t work = symbol(go, bin, "main.work", NULL);
        char *argv[] = {(char *)bin, "8", "1000", NULL};
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        gobp_process *p = launch(bin, argv, fds[1]);
        close(fds[1]);
        hit_counter c = {0, GOBP_HIT_CONTINUE};
        proc_set_hit_handler(p, stop_every_50th, &c);
        char err[256] = "";
        cr_assert_eq(proc_site_add(p, work, err, sizeof err), 0, "%s", err);
        proc_resume(p);
        long stops = 0;
        for (;;) {
            gobp_event ev = wait_event(p, 60000);
            if (ev.kind == GOBP_EV_EXITED) {
                cr_assert_eq(ev.exit_code, 0);
                break;
            }
            cr_assert_eq(ev.kind, GOBP_EV_BREAKPOINT, "event %d", ev.kind);
            cr_assert(all_threads_stopped(p));
            stops++;
            proc_resume(p);
        }
        proc_kill(p);
        char out[4096];
        read_all(fds[0], out, sizeof out);
        close(fds[0]);
        cr_assert(strstr(out, "calls 8000\n") != NULL, "output: %s", out);
        cr_assert_eq(c.hits, 8000, "%s: %ld hits", go, c.hits);
        cr_assert_eq(stops, 8000 / 50);
    }
}

/* A goroutine that hits a site all the time is still preempted by the runtime's signal:
 * a signal that comes while a thread is held at a site is delivered when it resumes, in the
 * XOL slot, and Go preempts only at a pc of its own code. xolsignal spins with GOMAXPROCS 1
 * through calls of main.tick (no stack check, so no other preemption point) while main waits
 * for a 1 ms timer: main must run again before the spinner is done. */
Test(proc, signals_in_xol_slots_reach_the_program_at_its_own_pc, .timeout = 600)
{
    FOR_EACH_GO(go) {
        const char *bin = build(go, "xolsignal");
        uint64_t tick = symbol(go, bin, "main.tick", NULL);
        char *argv[] = {(char *)bin, "20000", NULL};
        int fds[2];
        cr_assert_eq(pipe(fds), 0);
        gobp_process *p = launch(bin, argv, fds[1]);
        close(fds[1]);
        hit_counter c = {0, GOBP_HIT_CONTINUE};
        proc_set_hit_handler(p, count_hit, &c);
        char err[256] = "";
        cr_assert_eq(proc_site_add(p, tick, err, sizeof err), 0, "%s", err);
        proc_resume(p);
        expect_exit(p, 0);
        proc_kill(p);
        char out[4096];
        read_all(fds[0], out, sizeof out);
        close(fds[0]);
        long at = -1, n = -1;
        cr_assert_eq(sscanf(out, "main ran at %ld of %ld", &at, &n), 2, "output: %s", out);
        cr_assert_eq(c.hits, 20000, "%s: %ld hits", go, c.hits);
        cr_assert_lt(at, n - 1, "%s: main ran only after the spinner was done (%s)", go, out);
    }
}
