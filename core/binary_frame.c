/* Call-frame information from .debug_frame (libdwarf): the CFA as rsp + offset at a pc.
 * The FDE list is loaded once, on the first query. */
#include "binary_internal.h"

#define DWARF_REG_RSP 7

static int frames_load(gobp_binary *bin)
{
    if (bin->frames_loaded) return bin->nfdes ? 0 : -1;
    bin->frames_loaded = true;
    if (dwarf_get_fde_list(bin->dbg, &bin->cies, &bin->ncies, &bin->fdes, &bin->nfdes, NULL) != DW_DLV_OK) {
        bin->nfdes = 0;
        return -1;
    }
    return 0;
}

void frames_free(gobp_binary *bin)
{
    if (bin->frames_loaded && bin->nfdes) dwarf_fde_cie_list_dealloc(bin->dbg, bin->cies, bin->ncies, bin->fdes, bin->nfdes);
    bin->nfdes = 0;
}

int binary_cfa_offset(gobp_binary *bin, uint64_t pc, int64_t *rsp_offset)
{
    if (frames_load(bin) != 0) return -1;
    Dwarf_Fde fde;
    Dwarf_Addr lo, hi;
    if (dwarf_get_fde_at_pc(bin->fdes, pc, &fde, &lo, &hi, NULL) != DW_DLV_OK) return -1;
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
