/* floor_target N: calls hot() N times. hot is top-level asm whose first instruction is a
 * 1-byte nop, so bench/ptrace_floor can replace it with int3 and resume at hot+1 exactly. */
#include <stdio.h>
#include <stdlib.h>

long hot(long a, long b);
asm(".text\n.globl hot\n.type hot,@function\nhot:\n nop\n lea (%rdi,%rsi),%rax\n ret\n.size hot,.-hot\n");

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 200000, sum = 0;
    long (*volatile fn)(long, long) = hot;
    for (long i = 0; i < n; i++)
        sum += fn(1, i);
    printf("%ld %ld\n", n, sum);
    return 0;
}
