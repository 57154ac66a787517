/* ptrace_floor ADDR PROGRAM [ARGS...]: the least a ptrace breakpoint can cost per hit.
 * Forks/execs PROGRAM traced, writes int3 over the 1-byte nop at ADDR (hex, a non-PIE
 * address: `nm PROGRAM`), and on each hit does only PTRACE_GETREGS, rip = ADDR+1,
 * PTRACE_SETREGS, PTRACE_CONT. Prints the hit count on stderr; exits with PROGRAM's code. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: ptrace_floor ADDR PROGRAM [ARGS...]\n");
        return 2;
    }
    uintptr_t addr = (uintptr_t)strtoull(argv[1], NULL, 16);
    pid_t pid = fork();
    if (pid == 0) {
        ptrace(PTRACE_TRACEME, 0, 0, 0);
        execv(argv[2], argv + 2);
        _exit(127);
    }
    int st;
    if (waitpid(pid, &st, 0) != pid || !WIFSTOPPED(st)) {
        fprintf(stderr, "ptrace_floor: exec stop missing\n");
        return 2;
    }
    ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_EXITKILL);
    errno = 0;
    long word = ptrace(PTRACE_PEEKTEXT, pid, addr, 0);
    if (errno || (word & 0xff) != 0x90) {
        fprintf(stderr, "ptrace_floor: no nop at %#lx\n", (unsigned long)addr);
        return 2;
    }
    ptrace(PTRACE_POKETEXT, pid, addr, (word & ~0xffL) | 0xcc);
    unsigned long hits = 0;
    int sig = 0;
    for (;;) {
        ptrace(PTRACE_CONT, pid, 0, sig);
        sig = 0;
        if (waitpid(pid, &st, 0) != pid)
            return 2;
        if (WIFEXITED(st) || WIFSIGNALED(st))
            break;
        if (WSTOPSIG(st) != SIGTRAP) {
            sig = WSTOPSIG(st);
            continue;
        }
        struct user_regs_struct r;
        ptrace(PTRACE_GETREGS, pid, 0, &r);
        if (r.rip != addr + 1) {
            fprintf(stderr, "ptrace_floor: SIGTRAP at %#llx\n", (unsigned long long)r.rip);
            return 2;
        }
        hits++;
        r.rip = addr + 1; /* int3 already advanced past the 1-byte slot: skip the nop */
        ptrace(PTRACE_SETREGS, pid, 0, &r);
    }
    fprintf(stderr, "ptrace_floor: %lu hits\n", hits);
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
