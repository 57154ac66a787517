/* The Go toolchains the unit tests build with: scripts/go-toolchain.sh's list (absolute paths,
 * oldest first), read once. GOBP_ROOT is the repository (default "."). */
#ifndef GOBP_TEST_GO_TOOLCHAINS_H
#define GOBP_TEST_GO_TOOLCHAINS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char **go_toolchain_list;
static size_t go_toolchain_n;

static void go_toolchains_load(void)
{
    if (go_toolchain_list) return;
    const char *r = getenv("GOBP_ROOT");
    char cmd[1024], line[1024];
    snprintf(cmd, sizeof cmd, "%s/scripts/go-toolchain.sh", r && *r ? r : ".");
    FILE *f = popen(cmd, "r");
    size_t cap = 8;
    go_toolchain_list = calloc(cap, sizeof *go_toolchain_list);
    while (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = 0;
        if (!*line) continue;
        if (go_toolchain_n == cap) go_toolchain_list = realloc(go_toolchain_list, (cap *= 2) * sizeof *go_toolchain_list);
        go_toolchain_list[go_toolchain_n++] = strdup(line);
    }
    if (f) pclose(f);
    if (!go_toolchain_n) fprintf(stderr, "no Go toolchain found by %s\n", cmd);
}

/* Number of installed toolchains and the i-th one's go binary. */
static inline size_t go_toolchain_count(void) { go_toolchains_load(); return go_toolchain_n; }
static inline const char *go_toolchain(size_t i) { go_toolchains_load(); return i < go_toolchain_n ? go_toolchain_list[i] : NULL; }

#endif
