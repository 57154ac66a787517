/* Call-frame information from .debug_frame (Go) and .eh_frame (C code of cgo programs), read with
 * libdwarf: the CFA as rsp + offset at a pc. The FDE lists are loaded once, on the first query;
 * answers are cached per pc (a stack dump of thousands of parked goroutines asks again and again
 * for the same few pcs). */
#include "binary_internal.h"

#define DWARF_REG_RSP 7
#define CFA_CACHE_MAX 65536    /* distinct pcs remembered; past that, answers are computed */

static int frames_load(gobp_binary *bin)
{
    if (bin->frames_loaded) return bin->nfdes || bin->eh_nfdes ? 0 : -1;
    bin->frames_loaded = true;
    if (dwarf_get_fde_list(bin->dbg, &bin->cies, &bin->ncies, &bin->fdes, &bin->nfdes, NULL) != DW_DLV_OK)
        bin->nfdes = 0;
    if (dwarf_get_fde_list_eh(bin->dbg, &bin->eh_cies, &bin->eh_ncies, &bin->eh_fdes, &bin->eh_nfdes, NULL) != DW_DLV_OK)
        bin->eh_nfdes = 0;
    return bin->nfdes || bin->eh_nfdes ? 0 : -1;
}

void frames_free(gobp_binary *bin)
{
    if (bin->frames_loaded && bin->nfdes) dwarf_fde_cie_list_dealloc(bin->dbg, bin->cies, bin->ncies, bin->fdes, bin->nfdes);
    if (bin->frames_loaded && bin->eh_nfdes)
        dwarf_fde_cie_list_dealloc(bin->dbg, bin->eh_cies, bin->eh_ncies, bin->eh_fdes, bin->eh_nfdes);
    bin->nfdes = bin->eh_nfdes = 0;
    u64map_free(&bin->cfa_cache);
}

/* Cache values: bit 0 set = found, offset in the bits above; 2 = no CFA (NULL = not cached). */
#define CFA_NONE ((void *)(uintptr_t)2)

static int cfa_compute(gobp_binary *bin, uint64_t pc, int64_t *rsp_offset);

int binary_cfa_offset(gobp_binary *bin, uint64_t pc, int64_t *rsp_offset)
{
    if (frames_load(bin) != 0) return -1;
    if (!pc) return cfa_compute(bin, pc, rsp_offset);
    void *v = u64map_get(&bin->cfa_cache, pc);
    if (v) {
        if (v == CFA_NONE) return -1;
        *rsp_offset = (int64_t)((uint64_t)(uintptr_t)v & ~(uint64_t)1) / 2;
        return 0;
    }
    int64_t off = 0;
    int rc = cfa_compute(bin, pc, &off);
    if (bin->cfa_cache.n < CFA_CACHE_MAX)
        u64map_put(&bin->cfa_cache, pc, rc == 0 ? (void *)(uintptr_t)((uint64_t)off * 2 | 1) : CFA_NONE);
    if (rc == 0) *rsp_offset = off;
    return rc;
}

/* Go functions have .debug_frame FDEs; C functions only .eh_frame ones (CFA = rsp + offset in
 * gcc's default -O2 code; a frame-pointer-based CFA, as at -O0, is not followed). */
static int cfa_compute(gobp_binary *bin, uint64_t rt_pc, int64_t *rsp_offset)
{
    uint64_t pc = link_addr(bin, rt_pc);   /* FDEs cover link-time addresses */
    Dwarf_Fde fde;
    Dwarf_Addr lo, hi;
    if ((!bin->nfdes || dwarf_get_fde_at_pc(bin->fdes, pc, &fde, &lo, &hi, NULL) != DW_DLV_OK) &&
        (!bin->eh_nfdes || dwarf_get_fde_at_pc(bin->eh_fdes, pc, &fde, &lo, &hi, NULL) != DW_DLV_OK))
        return -1;
    Dwarf_Small value_type;
    Dwarf_Signed offset_relevant, reg, offset;
    Dwarf_Ptr block;
    Dwarf_Addr row_pc, next_pc;
    Dwarf_Bool more;
    if (dwarf_get_fde_info_for_cfa_reg3_b(fde, pc, &value_type, &offset_relevant, &reg, &offset, &block,
                                          &row_pc, &more, &next_pc, NULL) != DW_DLV_OK)
        return -1;
    if (reg != DWARF_REG_RSP || value_type != DW_EXPR_OFFSET) return -1;
    *rsp_offset = offset;
    return 0;
}
