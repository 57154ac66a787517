/* Conditions compiled to x86-64 machine code, for the check of a jump site (proc.h:
 * gobp_check_emit_fn): integers, bools and pointers of the frame (in registers or stack slots
 * at the site), len of strings and slices, a field through a pointer (nil: the slow path
 * decides), literals, a string variable == or != a string literal, float64 comparisons (IEEE,
 * through XMM15 saved and put back), comparisons, arithmetic + - *, ! and short-circuit && ||. Anything else says why and is left to the debugger's own
 * evaluation at each hit. */
#include "eval_internal.h"
#include "alloc.h"

#include <stdio.h>
#include <string.h>

/* The check's frame (proc/jump.c): RAX, RCX, RDX saved at TEMPS+16, +8, +0 above RSP, the
 * program's RSP at TEMPS+32; eight temporaries at [RSP], [RSP+8], ... */
enum { TEMPS = 64, NTEMPS = 8 };

typedef struct {
    uint8_t *out;
    size_t cap, len;
    bool overflow;
    const eval_x86_env *env;
    uint64_t at, on_true, on_false;
    int depth;               /* temporaries in use */
    char *why;
    size_t whylen;
    bool failed;
} cg;

static int cg_fail(cg *c, const char *fmt, const char *arg)
{
    if (!c->failed)
        snprintf(c->why, c->whylen, fmt, arg);
    c->failed = true;
    return -1;
}

static void emit(cg *c, const void *bytes, size_t n)
{
    if (c->len + n > c->cap) {
        c->overflow = c->failed = true;
        snprintf(c->why, c->whylen, "the condition's code is too long");
        return;
    }
    memcpy(c->out + c->len, bytes, n);
    c->len += n;
}

static void emit_u8(cg *c, uint8_t b) { emit(c, &b, 1); }
static void emit_i32(cg *c, int32_t v) { emit(c, &v, 4); }

/* mov rax, [rsp + disp32] / mov [rsp + disp32], rax */
static void load_rsp(cg *c, int32_t disp) { emit(c, "\x48\x8b\x84\x24", 4); emit_i32(c, disp); }
static void store_rsp(cg *c, int32_t disp) { emit(c, "\x48\x89\x84\x24", 4); emit_i32(c, disp); }

/* rax = the program's register dw (DWARF number 0..15) */
static int load_reg(cg *c, int dw)
{
    if (dw >= 17 && dw <= 32) {                            /* movq rax, xmmN: the low 8 bytes */
        int x = dw - 17;
        uint8_t insn[5] = { 0x66, (uint8_t)(0x48 | (x >= 8 ? 0x04 : 0)), 0x0f, 0x7e, (uint8_t)(0xc0 | ((x & 7) << 3)) };
        emit(c, insn, 5);
        return 0;
    }
    static const int x86[16] = { 0, 2, 1, 3, 6, 7, 5, 4, 8, 9, 10, 11, 12, 13, 14, 15 };  /* DWARF -> x86 */
    if (dw < 0 || dw > 15 || dw == 7)
        return cg_fail(c, "a value in register %s cannot be read by the check", dw == 7 ? "rsp" : "?");
    int r = x86[dw];
    if (r == 0) { load_rsp(c, TEMPS + 16); return 0; }     /* saved rax */
    if (r == 1) { load_rsp(c, TEMPS + 8); return 0; }      /* saved rcx */
    if (r == 2) { load_rsp(c, TEMPS + 0); return 0; }      /* saved rdx */
    uint8_t rex = 0x48 | (r >= 8 ? 0x04 : 0);              /* mov rax, r */
    uint8_t insn[3] = { rex, 0x89, (uint8_t)(0xc0 | ((r & 7) << 3)) };
    emit(c, insn, 3);
    return 0;
}

/* Narrows rax to size bytes, sign- or zero-extended to 64 bits. */
static void extend(cg *c, unsigned size, bool is_signed)
{
    switch (size) {
    case 1: emit(c, is_signed ? "\x48\x0f\xbe\xc0" : "\x48\x0f\xb6\xc0", 4); break;   /* movsx/movzx rax, al */
    case 2: emit(c, is_signed ? "\x48\x0f\xbf\xc0" : "\x48\x0f\xb7\xc0", 4); break;
    case 4: if (is_signed) emit(c, "\x48\x63\xc0", 3); else emit(c, "\x89\xc0", 2); break;   /* movsxd / mov eax, eax */
    default: break;
    }
}

static bool kind_signed(gobp_type_kind k)
{
    return k == GOBP_KIND_INT || k == GOBP_KIND_INT8 || k == GOBP_KIND_INT16 || k == GOBP_KIND_INT32 ||
           k == GOBP_KIND_INT64;
}

static bool kind_word(gobp_type_kind k)
{
    return gobp_kind_is_numeric(k) ? !(k == GOBP_KIND_FLOAT32 || k == GOBP_KIND_FLOAT64 || k == GOBP_KIND_COMPLEX64 ||
                                      k == GOBP_KIND_COMPLEX128)
                                   : (k == GOBP_KIND_BOOL || k == GOBP_KIND_PTR || k == GOBP_KIND_UNSAFEPTR ||
                                      k == GOBP_KIND_UINTPTR || k == GOBP_KIND_MAP || k == GOBP_KIND_CHAN ||
                                      k == GOBP_KIND_FUNC);
}

/* What a compiled value is: signedness for comparisons. */
typedef struct { bool is_signed; bool is_float; } cval;   /* is_float: rax holds a float64's bits */

/* rax = the word at byte off of the variable called name. */
static int load_var(cg *c, const char *name, uint64_t off, unsigned size, bool is_signed)
{
    eval_x86_loc loc;
    if (c->env->locate(c->env->ctx, name, off, &loc) < 0)
        return cg_fail(c, "where %s lives at the breakpoint cannot be read by the check", name);
    if (loc.in_reg) {
        if (load_reg(c, loc.reg) < 0)
            return -1;
    } else {
        int64_t disp = TEMPS + 32 + loc.rsp_off;   /* the program's RSP is RSP+TEMPS+32 */
        if (disp < 0 || disp > 0x7fffffff)
            return cg_fail(c, "%s is too far from the stack pointer", name);
        load_rsp(c, (int32_t)disp);
    }
    extend(c, size, is_signed);
    return 0;
}

static int value(cg *c, const eval_node *n, cval *v);

/* jcc rel32 to an absolute target; returns nothing (targets are the check's labels). */
static void jump_to(cg *c, uint8_t op2, uint64_t target)
{
    uint8_t insn[2] = { 0x0f, op2 };
    emit(c, insn, 2);
    emit_i32(c, (int32_t)(int64_t)(target - (c->at + c->len + 4)));
}

/* A forward jcc (op2) or jmp (op2 0) rel32 to a place not known yet: its patch offset. */
static size_t jump_fwd(cg *c, uint8_t op2)
{
    if (op2) {
        uint8_t insn[2] = { 0x0f, op2 };
        emit(c, insn, 2);
    } else {
        emit_u8(c, 0xe9);
    }
    size_t at = c->len;
    emit_i32(c, 0);
    return at;
}

static void patch_here(cg *c, size_t at)
{
    if (c->overflow)
        return;
    int32_t rel = (int32_t)(c->len - (at + 4));
    memcpy(c->out + at, &rel, 4);
}

static int name_value(cg *c, const char *name, cval *v)
{
    gobp_type *t = NULL;
    if (c->env->type_of(c->env->ctx, name, &t) < 0 || !t)
        return cg_fail(c, "%s is not a variable of the frame", name);
    if (t->kind == GOBP_KIND_FLOAT64) {
        v->is_float = true;
        return load_var(c, name, 0, 8, false);
    }
    if (!kind_word(t->kind) || t->size > 8 || t->size == 0)
        return cg_fail(c, "%s is not an integer, bool, pointer or float64", name);
    v->is_signed = kind_signed(t->kind);
    return load_var(c, name, 0, (unsigned)t->size, v->is_signed);
}

/* x.f through a pointer x (a variable): nil goes to the slow path. */
static int field_value(cg *c, const eval_node *n, cval *v)
{
    gobp_type *pt = NULL;
    if (n->a->kind != N_NAME || c->env->type_of(c->env->ctx, n->a->name, &pt) < 0 || !pt ||
        pt->kind != GOBP_KIND_PTR || !pt->elem || pt->elem->kind != GOBP_KIND_STRUCT)
        return cg_fail(c, "%s: only a field through a pointer variable is compiled", n->name);
    const gobp_type_field *f = NULL;
    for (int i = 0; i < pt->elem->nfields; i++)
        if (strcmp(pt->elem->fields[i].name, n->name) == 0)
            f = &pt->elem->fields[i];
    if (!f || !f->type || !kind_word(f->type->kind) || f->type->size > 8 || f->offset > 0x7fffffff)
        return cg_fail(c, "field %s is not an integer, bool or pointer", n->name);
    if (load_var(c, n->a->name, 0, 8, false) < 0)
        return -1;
    emit(c, "\x48\x85\xc0", 3);                 /* test rax, rax */
    jump_to(c, 0x84, c->on_true);               /* je on_true: nil, the debugger says why */
    emit(c, "\x48\x8b\x80", 3);                 /* mov rax, [rax + disp32] */
    emit_i32(c, (int32_t)f->offset);
    v->is_signed = kind_signed(f->type->kind);
    extend(c, (unsigned)f->type->size, v->is_signed);
    return 0;
}

static int len_value(cg *c, const eval_node *n, cval *v)
{
    gobp_type *t = NULL;
    if (n->a->kind != N_NAME || c->env->type_of(c->env->ctx, n->a->name, &t) < 0 || !t ||
        (t->kind != GOBP_KIND_STRING && t->kind != GOBP_KIND_SLICE))
        return cg_fail(c, "%s: only len of a string or slice variable is compiled", n->kind == N_CAP ? "cap" : "len");
    v->is_signed = true;
    return load_var(c, n->a->name, n->kind == N_CAP ? 16 : 8, 8, true);
}

enum { MAX_STRING_LITERAL = 64 };

static bool is_string_literal(const eval_node *n)
{
    return n->kind == N_LITERAL && n->lit.kind == EVAL_STRING && n->lit.s;
}

/* s == "lit" / s != "lit" for a string variable s: its length, then its bytes 8 at a time and
 * the rest one by one, against the literal's (a bad pointer faults: the slow path decides). */
static int string_compare(cg *c, const eval_node *var, const char *lit, bool equal, cval *v)
{
    gobp_type *t = NULL;
    size_t len = strlen(lit), miss[MAX_STRING_LITERAL / 8 + 8 + 1];
    int nmiss = 0;
    if (var->kind != N_NAME || c->env->type_of(c->env->ctx, var->name, &t) < 0 || !t || t->kind != GOBP_KIND_STRING)
        return cg_fail(c, "%s", "only a string variable is compared with a string");
    if (len > MAX_STRING_LITERAL)
        return cg_fail(c, "%s", "a string literal of more than 64 bytes is not compiled");
    if (load_var(c, var->name, 8, 8, false) < 0)
        return -1;
    emit(c, "\x48\x3d", 2);                     /* cmp rax, len */
    emit_i32(c, (int32_t)len);
    miss[nmiss++] = jump_fwd(c, 0x85);
    if (len && load_var(c, var->name, 0, 8, false) < 0)   /* rax = the bytes */
        return -1;
    size_t k = 0;
    for (; k + 8 <= len; k += 8) {
        uint64_t chunk;
        memcpy(&chunk, lit + k, 8);
        emit(c, "\x48\x8b\x88", 3);             /* mov rcx, [rax + k] */
        emit_i32(c, (int32_t)k);
        emit(c, "\x48\xba", 2);                 /* movabs rdx, chunk */
        emit(c, &chunk, 8);
        emit(c, "\x48\x39\xd1", 3);             /* cmp rcx, rdx */
        miss[nmiss++] = jump_fwd(c, 0x85);
    }
    for (; k < len; k++) {
        emit(c, "\x0f\xb6\x88", 3);             /* movzx ecx, byte [rax + k] */
        emit_i32(c, (int32_t)k);
        emit(c, "\x81\xf9", 2);                 /* cmp ecx, byte */
        emit_i32(c, (uint8_t)lit[k]);
        miss[nmiss++] = jump_fwd(c, 0x85);
    }
    emit(c, "\xb8", 1);                         /* mov eax, equal */
    emit_i32(c, equal ? 1 : 0);
    size_t done = jump_fwd(c, 0);
    for (int i = 0; i < nmiss; i++)
        patch_here(c, miss[i]);
    emit(c, "\xb8", 1);                         /* mov eax, !equal */
    emit_i32(c, equal ? 0 : 1);
    patch_here(c, done);
    v->is_signed = true;
    return 0;
}

/* Whether n is a float: a float literal, a float64 variable, or - of one. */
static bool is_float_node(cg *c, const eval_node *n)
{
    gobp_type *t = NULL;
    if (n->kind == N_UNARY && n->op == '-')
        return is_float_node(c, n->a);
    if (n->kind == N_LITERAL)
        return n->lit.kind == EVAL_FLOAT;
    return n->kind == N_NAME && c->env->type_of(c->env->ctx, n->name, &t) == 0 && t && t->kind == GOBP_KIND_FLOAT64;
}

/* rax = n as a float64: float values, and integer literals converted here. */
static int float_value(cg *c, const eval_node *n)
{
    cval v = { 0 };
    if (n->kind == N_LITERAL && (n->lit.kind == EVAL_INT || n->lit.kind == EVAL_UINT)) {
        double d = n->lit.kind == EVAL_INT ? (double)n->lit.i : (double)n->lit.u;
        emit(c, "\x48\xb8", 2);                 /* movabs rax, the double */
        emit(c, &d, 8);
        return 0;
    }
    if (value(c, n, &v) < 0)
        return -1;
    return v.is_float ? 0 : cg_fail(c, "%s", "a float compared with an integer variable is not compiled");
}

/* a op b for float64s (a in a temporary, b in rax), IEEE: NaN compares unequal and unordered.
 * XMM15 is borrowed and put back; its 16 bytes live in the last two temporaries. */
static int float_compare(cg *c, const eval_node *n, cval *v)
{
    enum { XMM_SAVE = 48 };
    if (c->depth + 2 > XMM_SAVE / 8)
        return cg_fail(c, "%s", "the condition nests too deep");
    if (float_value(c, n->a) < 0)
        return -1;
    int sa = c->depth++;
    store_rsp(c, sa * 8);
    int rc = float_value(c, n->b);
    c->depth--;
    if (rc < 0)
        return -1;
    int sb = sa + 1;
    store_rsp(c, sb * 8);
    bool swap = n->op == B_LT || n->op == B_LE;   /* a < b is b > a */
    int first = swap ? sb : sa, second = swap ? sa : sb;
    emit(c, "\xf3\x44\x0f\x7f\x7c\x24", 6);     /* movdqu [rsp+48], xmm15 */
    emit_u8(c, XMM_SAVE);
    emit(c, "\xf2\x44\x0f\x10\x7c\x24", 6);     /* movsd xmm15, [first] */
    emit_u8(c, (uint8_t)(first * 8));
    emit(c, "\x66\x44\x0f\x2e\x7c\x24", 6);     /* ucomisd xmm15, [second] */
    emit_u8(c, (uint8_t)(second * 8));
    switch (n->op) {
    case B_GT: case B_LT: emit(c, "\x0f\x97\xc0", 3); break;                       /* seta al */
    case B_GE: case B_LE: emit(c, "\x0f\x93\xc0", 3); break;                       /* setae al */
    case B_EQ: emit(c, "\x0f\x94\xc0\x0f\x9b\xc1\x20\xc8", 8); break;             /* sete al; setnp cl; and */
    case B_NE: emit(c, "\x0f\x95\xc0\x0f\x9a\xc1\x08\xc8", 8); break;             /* setne al; setp cl; or */
    default: return cg_fail(c, "float operator %s is not compiled", eval_binary_text[n->op]);
    }
    emit(c, "\xf3\x44\x0f\x6f\x7c\x24", 6);     /* movdqu xmm15, [rsp+48] */
    emit_u8(c, XMM_SAVE);
    emit(c, "\x48\x0f\xb6\xc0", 4);             /* movzx rax, al */
    v->is_signed = true;
    v->is_float = false;
    return 0;
}

/* Binary a op b with a in a temporary, b in rax. */
static int binary(cg *c, const eval_node *n, cval *v)
{
    if (is_float_node(c, n->a) || is_float_node(c, n->b))
        return float_compare(c, n, v);
    cval a = { 0 }, b = { 0 };
    if ((n->op == B_EQ || n->op == B_NE) && (is_string_literal(n->a) || is_string_literal(n->b)))
        return is_string_literal(n->b) ? string_compare(c, n->a, n->b->lit.s, n->op == B_EQ, v)
                                       : string_compare(c, n->b, n->a->lit.s, n->op == B_EQ, v);
    if (c->depth >= NTEMPS)
        return cg_fail(c, "%s", "the condition nests too deep");
    if (value(c, n->a, &a) < 0)
        return -1;
    int slot = c->depth++;
    store_rsp(c, slot * 8);
    int rc = value(c, n->b, &b);
    c->depth--;
    if (rc < 0)
        return -1;
    emit(c, "\x48\x89\xc1", 3);                 /* mov rcx, rax (b) */
    load_rsp(c, slot * 8);                      /* rax = a */
    bool sgn = a.is_signed && b.is_signed;
    v->is_signed = true;
    switch (n->op) {
    case B_ADD: emit(c, "\x48\x01\xc8", 3); v->is_signed = sgn; return 0;   /* add rax, rcx */
    case B_SUB: emit(c, "\x48\x29\xc8", 3); v->is_signed = sgn; return 0;   /* sub rax, rcx */
    case B_MUL: emit(c, "\x48\x0f\xaf\xc1", 4); v->is_signed = sgn; return 0;   /* imul rax, rcx */
    default: break;
    }
    static const struct { int op; uint8_t s, u; } cmps[] = {
        { B_EQ, 0x94, 0x94 }, { B_NE, 0x95, 0x95 }, { B_LT, 0x9c, 0x92 },
        { B_LE, 0x9e, 0x96 }, { B_GT, 0x9f, 0x97 }, { B_GE, 0x9d, 0x93 },
    };
    for (size_t i = 0; i < sizeof cmps / sizeof cmps[0]; i++)
        if (cmps[i].op == n->op) {
            emit(c, "\x48\x39\xc8", 3);         /* cmp rax, rcx */
            uint8_t set[3] = { 0x0f, sgn ? cmps[i].s : cmps[i].u, 0xc0 };   /* setcc al */
            emit(c, set, 3);
            emit(c, "\x48\x0f\xb6\xc0", 4);     /* movzx rax, al */
            return 0;
        }
    return cg_fail(c, "operator %s is not compiled", eval_binary_text[n->op]);
}

/* a && b / a || b as 0 or 1 in rax, b only when it decides. */
static int logic(cg *c, const eval_node *n, cval *v)
{
    cval a = { 0 }, b = { 0 };
    v->is_signed = true;
    if (value(c, n->a, &a) < 0)
        return -1;
    emit(c, "\x48\x85\xc0", 3);                 /* test rax, rax */
    size_t skip = jump_fwd(c, n->op == B_AND ? 0x84 : 0x85);   /* && false / || true: decided */
    if (value(c, n->b, &b) < 0)
        return -1;
    patch_here(c, skip);
    emit(c, "\x48\x85\xc0\x0f\x95\xc0\x48\x0f\xb6\xc0", 10);   /* rax = rax != 0 */
    return 0;
}

static int value(cg *c, const eval_node *n, cval *v)
{
    v->is_float = false;
    if (c->failed)
        return -1;
    switch (n->kind) {
    case N_LITERAL:
        v->is_signed = true;
        if (n->lit.kind == EVAL_INT || n->lit.kind == EVAL_BOOL || n->lit.kind == EVAL_NIL || n->lit.kind == EVAL_UINT) {
            uint64_t x = n->lit.kind == EVAL_INT ? (uint64_t)n->lit.i : n->lit.kind == EVAL_UINT ? n->lit.u
                       : n->lit.kind == EVAL_BOOL ? n->lit.b : 0;
            v->is_signed = n->lit.kind != EVAL_UINT;
            emit(c, "\x48\xb8", 2);             /* movabs rax, imm64 */
            emit(c, &x, 8);
            return 0;
        }
        if (n->lit.kind == EVAL_FLOAT) {
            v->is_float = true;
            emit(c, "\x48\xb8", 2);             /* movabs rax, the double */
            emit(c, &n->lit.f, 8);
            return 0;
        }
        return cg_fail(c, "%s", "a string literal is compiled only compared with a string variable");
    case N_NAME:
        return name_value(c, n->name, v);
    case N_FIELD:
        return field_value(c, n, v);
    case N_LEN:
    case N_CAP:
        return len_value(c, n, v);
    case N_UNARY:
        if (value(c, n->a, v) < 0)
            return -1;
        if (n->op == '-' && v->is_float) { emit(c, "\x48\x0f\xba\xf8\x3f", 5); return 0; }  /* btc rax, 63 */
        if (n->op == '-') { emit(c, "\x48\xf7\xd8", 3); return 0; }                       /* neg rax */
        if (n->op == '!') { emit(c, "\x48\x83\xf0\x01", 4); return 0; }                   /* xor rax, 1 */
        if (n->op == '+') return 0;
        return cg_fail(c, "%s", "a dereference is not compiled");
    case N_BINARY:
        return n->op == B_AND || n->op == B_OR ? logic(c, n, v) : binary(c, n, v);
    default:
        return cg_fail(c, "%s", "this kind of expression is not compiled");
    }
}

int eval_compile_x86(const eval_expr *x, const eval_x86_env *env, uint64_t at, uint64_t on_true, uint64_t on_false,
                     uint8_t *out, size_t cap, char *why, size_t whylen)
{
    cg c = { .out = out, .cap = cap, .env = env, .at = at, .on_true = on_true, .on_false = on_false,
             .why = why, .whylen = whylen };
    cval v = { 0 };
    if (value(&c, x->root, &v) < 0)
        return -1;
    emit(&c, "\x48\x85\xc0", 3);                /* test rax, rax */
    jump_to(&c, 0x85, on_true);                 /* jne on_true */
    emit_u8(&c, 0xe9);                          /* jmp on_false */
    emit_i32(&c, (int32_t)(int64_t)(on_false - (at + c.len + 4)));
    return c.failed ? -1 : (int)c.len;
}

int eval_compile_x86_count(uint64_t counter, eval_count_test test, uint64_t n, uint64_t at, uint64_t on_true,
                           uint64_t on_false, uint8_t *out, size_t cap)
{
    char why[64];
    cg c = { .out = out, .cap = cap, .at = at, .on_true = on_true, .on_false = on_false, .why = why, .whylen = sizeof why };
    emit(&c, "\x48\xb9", 2);                    /* movabs rcx, counter */
    emit(&c, &counter, 8);
    emit(&c, "\xb8\x01\x00\x00\x00", 5);        /* mov eax, 1 */
    emit(&c, "\xf0\x48\x0f\xc1\x01", 5);        /* lock xadd [rcx], rax */
    emit(&c, "\x48\xff\xc0", 3);                /* inc rax: the new count */
    emit(&c, "\x48\xb9", 2);                    /* movabs rcx, n */
    emit(&c, &n, 8);
    if (test == EVAL_COUNT_MOD) {
        emit(&c, "\x48\x85\xc9", 3);            /* test rcx, rcx */
        jump_to(&c, 0x84, on_false);            /* % 0: never */
        emit(&c, "\x31\xd2\x48\xf7\xf1", 5);    /* xor edx, edx; div rcx */
        emit(&c, "\x48\x85\xd2", 3);            /* test rdx, rdx */
        jump_to(&c, 0x84, on_true);
    } else {
        static const uint8_t jcc[] = { [EVAL_COUNT_EQ] = 0x84, [EVAL_COUNT_GE] = 0x83, [EVAL_COUNT_GT] = 0x87,
                                       [EVAL_COUNT_LT] = 0x82, [EVAL_COUNT_LE] = 0x86 };
        emit(&c, "\x48\x39\xc8", 3);            /* cmp rax, rcx (unsigned) */
        jump_to(&c, test > EVAL_COUNT_NONE && test < EVAL_COUNT_MOD ? jcc[test] : 0x85, on_true);
    }
    emit_u8(&c, 0xe9);                          /* jmp on_false */
    emit_i32(&c, (int32_t)(int64_t)(on_false - (at + c.len + 4)));
    return c.overflow ? -1 : (int)c.len;
}
