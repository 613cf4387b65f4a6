// SPDX-License-Identifier: GPL-2.0
/*
 * Entry encodings of the x86 page-table formats (arch/paging.h).
 *
 * Long mode (also AMD NPT), per entry:
 *   bit 0 P, 1 R/W, 2 U/S, 3 PWT, 4 PCD, 5 A, 6 D,
 *   bit 7 PS in a PDPT/PD entry (a 1 GiB/2 MiB page), PAT in a PTE,
 *   bits 12..51 the frame or table address, bit 63 NX.
 * The hypervisor's own tables leave U/S clear (supervisor pages: Linux's
 * SMEP and SMAP stay on in host mode); NPT tables set it everywhere, since
 * nested walks count as user accesses.
 * Device memory is PCD|PWT, which selects UC in the architectural default
 * PAT (entry 3), whatever the PAT MSR holds in entries 4-7.
 *
 * EPT, per entry:
 *   bit 0 read, 1 write, 2 execute, 3..5 memory type of a leaf (6 = WB,
 *   0 = UC), 6 ignore guest PAT, 7 large page, 12..51 address.
 *
 * VT-d second-level tables (what a device's DMA walks), per entry:
 *   bit 0 read, 1 write, 7 large page, 12..51 address; no execute right
 *   and no memory type (DMA snoops or not as the device asks). A unit
 *   without page-walk coherency reads them from memory, past the caches.
 *
 * AMD-Vi I/O page tables, per entry:
 *   bit 0 present, 9..11 next level (the level of the table it points to,
 *   counted from 1 for the last; 0: the entry maps a page, as large as
 *   its level), 12..51 address, 61 read, 62 write.
 */
#include <arch/paging.h>

#define X86_P BIT_ULL(0)
#define X86_RW BIT_ULL(1)
#define X86_US BIT_ULL(2)
#define X86_PWT BIT_ULL(3)
#define X86_PCD BIT_ULL(4)
#define X86_PS BIT_ULL(7)
#define X86_NX BIT_ULL(63)
#define X86_ADDR_MASK GENMASK_ULL(51, 12)

#define EPT_R BIT_ULL(0)
#define EPT_W BIT_ULL(1)
#define EPT_X BIT_ULL(2)
#define EPT_RWX (EPT_R | EPT_W | EPT_X)
#define EPT_MT_UC (0ULL << 3)
#define EPT_MT_WB (6ULL << 3)
#define EPT_IPAT BIT_ULL(6)
#define EPT_LARGE BIT_ULL(7)

static u64 long_make_leaf(u64 phys, unsigned int flags, bool large)
{
	u64 e = phys | X86_P;

	if (flags & PAGE_WRITE)
		e |= X86_RW;
	if (!(flags & PAGE_EXEC))
		e |= X86_NX;
	if (flags & PAGE_DEVICE)
		e |= X86_PCD | X86_PWT;
	if (large)
		e |= X86_PS;
	return e;
}

static u64 long_make_table(u64 table_phys, unsigned int level)
{
	(void)level;
	/* Rights are decided at the leaf: tables grant everything. */
	return table_phys | X86_P | X86_RW;
}

/* NPT walks count as user accesses: every level must allow them. */
static u64 npt_make_leaf(u64 phys, unsigned int flags, bool large)
{
	return long_make_leaf(phys, flags, large) | X86_US;
}

static u64 npt_make_table(u64 table_phys, unsigned int level)
{
	return long_make_table(table_phys, level) | X86_US;
}

static bool long_is_present(u64 entry)
{
	return entry & X86_P;
}

static bool long_is_leaf(u64 entry, bool last_level)
{
	return last_level || (entry & X86_PS);
}

static u64 long_entry_phys(u64 entry, bool large)
{
	/* In a large page, bit 12 is the PAT bit, not part of the address. */
	return entry & X86_ADDR_MASK & (large ? ~BIT_ULL(12) : ~0ULL);
}

static unsigned int long_entry_flags(u64 entry)
{
	unsigned int flags = PAGE_READ;

	if (entry & X86_RW)
		flags |= PAGE_WRITE;
	if (!(entry & X86_NX))
		flags |= PAGE_EXEC;
	if (entry & X86_PCD)
		flags |= PAGE_DEVICE;
	return flags;
}

static u64 ept_make_leaf(u64 phys, unsigned int flags, bool large)
{
	u64 e = phys | EPT_IPAT;

	if (flags & PAGE_READ)
		e |= EPT_R;
	if (flags & PAGE_WRITE)
		e |= EPT_W;
	if (flags & PAGE_EXEC)
		e |= EPT_X;
	e |= (flags & PAGE_DEVICE) ? EPT_MT_UC : EPT_MT_WB;
	if (large)
		e |= EPT_LARGE;
	return e;
}

static u64 ept_make_table(u64 table_phys, unsigned int level)
{
	(void)level;
	return table_phys | EPT_RWX;
}

static bool ept_is_present(u64 entry)
{
	/* Write-only and execute-only leaves are never built. */
	return entry & EPT_RWX;
}

static bool ept_is_leaf(u64 entry, bool last_level)
{
	return last_level || (entry & EPT_LARGE);
}

static u64 ept_entry_phys(u64 entry, bool large)
{
	(void)large;
	return entry & X86_ADDR_MASK;
}

static unsigned int ept_entry_flags(u64 entry)
{
	unsigned int flags = 0;

	if (entry & EPT_R)
		flags |= PAGE_READ;
	if (entry & EPT_W)
		flags |= PAGE_WRITE;
	if (entry & EPT_X)
		flags |= PAGE_EXEC;
	if ((entry & (7ULL << 3)) == EPT_MT_UC)
		flags |= PAGE_DEVICE;
	return flags;
}

#define VTD_R BIT_ULL(0)
#define VTD_W BIT_ULL(1)
#define VTD_LARGE BIT_ULL(7)

static u64 vtd_make_leaf(u64 phys, unsigned int flags, bool large)
{
	u64 e = phys;

	if (flags & PAGE_READ)
		e |= VTD_R;
	if (flags & PAGE_WRITE)
		e |= VTD_W;
	if (large)
		e |= VTD_LARGE;
	return e;
}

static u64 vtd_make_table(u64 table_phys, unsigned int level)
{
	(void)level;
	return table_phys | VTD_R | VTD_W;
}

static bool vtd_is_present(u64 entry)
{
	return entry & (VTD_R | VTD_W);
}

static bool vtd_is_leaf(u64 entry, bool last_level)
{
	return last_level || (entry & VTD_LARGE);
}

static unsigned int vtd_entry_flags(u64 entry)
{
	return ((entry & VTD_R) ? PAGE_READ : 0) |
	       ((entry & VTD_W) ? PAGE_WRITE : 0);
}

/* Write cache lines back to memory (CLFLUSH is ordered by the fences). */
static void clflush_range(const void *p, size_t len)
{
	unsigned long a = (unsigned long)p & ~63UL;

	asm volatile("mfence" ::: "memory");
	for (; a < (unsigned long)p + len; a += 64)
		asm volatile("clflush (%0)" ::"r"(a) : "memory");
	asm volatile("mfence" ::: "memory");
}

#define AMD_PR BIT_ULL(0)
#define AMD_NEXT_LEVEL(n) ((u64)(n) << 9)
#define AMD_NEXT_MASK (7ULL << 9)
#define AMD_IR BIT_ULL(61)
#define AMD_IW BIT_ULL(62)

static u64 amdvi_make_leaf(u64 phys, unsigned int flags, bool large)
{
	(void)large; /* next level 0: the level gives the size */
	return phys | AMD_PR | ((flags & PAGE_READ) ? AMD_IR : 0) |
	       ((flags & PAGE_WRITE) ? AMD_IW : 0);
}

static u64 amdvi_make_table(u64 table_phys, unsigned int level);

static bool amdvi_is_present(u64 entry)
{
	return entry & AMD_PR;
}

static bool amdvi_is_leaf(u64 entry, bool last_level)
{
	return last_level || !(entry & AMD_NEXT_MASK);
}

static unsigned int amdvi_entry_flags(u64 entry)
{
	return ((entry & AMD_IR) ? PAGE_READ : 0) |
	       ((entry & AMD_IW) ? PAGE_WRITE : 0);
}

struct paging_format x86_long_paging = {
	.make_leaf = long_make_leaf,
	.make_table = long_make_table,
	.is_present = long_is_present,
	.is_leaf = long_is_leaf,
	.entry_phys = long_entry_phys,
	.entry_flags = long_entry_flags,
};

struct paging_format x86_npt_paging = {
	.make_leaf = npt_make_leaf,
	.make_table = npt_make_table,
	.is_present = long_is_present,
	.is_leaf = long_is_leaf,
	.entry_phys = long_entry_phys,
	.entry_flags = long_entry_flags,
};

struct paging_format x86_ept_paging = {
	.make_leaf = ept_make_leaf,
	.make_table = ept_make_table,
	.is_present = ept_is_present,
	.is_leaf = ept_is_leaf,
	.entry_phys = ept_entry_phys,
	.entry_flags = ept_entry_flags,
};

struct paging_format x86_vtd_paging = {
	.make_leaf = vtd_make_leaf,
	.make_table = vtd_make_table,
	.is_present = vtd_is_present,
	.is_leaf = vtd_is_leaf,
	.entry_phys = ept_entry_phys,
	.entry_flags = vtd_entry_flags,
};

struct paging_format x86_amdvi_paging = {
	.make_leaf = amdvi_make_leaf,
	.make_table = amdvi_make_table,
	.is_present = amdvi_is_present,
	.is_leaf = amdvi_is_leaf,
	.entry_phys = ept_entry_phys,
	.entry_flags = amdvi_entry_flags,
};

/* The table below a level-L entry (0 = top) is AMD level levels - 1 - L. */
static u64 amdvi_make_table(u64 table_phys, unsigned int level)
{
	return table_phys | AMD_PR | AMD_IR | AMD_IW |
	       AMD_NEXT_LEVEL(x86_amdvi_paging.levels - 1 - level);
}

void x86_amdvi_paging_init(unsigned int levels)
{
	/* 2 MiB and 1 GiB pages: entries with next level 0 one and two up. */
	x86_amdvi_paging.levels = levels;
	x86_amdvi_paging.leaf_levels = 0x3u << (levels - 3);
}

void x86_vtd_paging_init(unsigned int levels, unsigned int large_sizes,
			 bool coherent)
{
	unsigned int leaves = 0;

	/* large_sizes: bit 0 = 2 MiB pages, bit 1 = 1 GiB (CAP.SLLPS). */
	if (large_sizes & 1)
		leaves |= 1u << (levels - 2);
	if (large_sizes & 2)
		leaves |= 1u << (levels - 3);
	x86_vtd_paging.levels = levels;
	x86_vtd_paging.leaf_levels = leaves;
	x86_vtd_paging.sync = coherent ? NULL : clflush_range;
}

void x86_clflush_range(const void *p, size_t len)
{
	clflush_range(p, len);
}

void x86_paging_init(unsigned int levels, bool gbpages)
{
	/* 2 MiB pages live one level above the last, 1 GiB two above. */
	unsigned int leaves = 1u << (levels - 2);

	if (gbpages)
		leaves |= 1u << (levels - 3);
	x86_long_paging.levels = levels;
	x86_long_paging.leaf_levels = leaves;
	/* NPT has the host's format and depth (LA57 included). */
	x86_npt_paging.levels = levels;
	x86_npt_paging.leaf_levels = leaves;
	/* EPT here is always 4 levels (5-level EPT is not used yet). */
	x86_ept_paging.levels = 4;
	x86_ept_paging.leaf_levels = gbpages ? 0x3u << 1 : 0x1u << 2;
}
