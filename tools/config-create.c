// SPDX-License-Identifier: GPL-2.0
/*
 * `brig config create`: a system description (DTS) for the machine whose
 * files are under a root directory, "/" on the target itself or a tree
 * that `brig config collect` packed there:
 *
 *   proc/cmdline               the memmap= reservations (hypervisor, pools)
 *   proc/iomem                 RAM and MMIO, as Linux found them
 *   sys/firmware/memmap        the firmware's own map, before memmap=
 *   sys/firmware/acpi/tables   FACP (PM timer), MCFG, MADT, DMAR or IVRS
 *   sys/devices/system/cpu     the CPUs and which share a core
 *
 * Facts go in as they are read; choices it cannot make safely (which
 * reservation holds the hypervisor when nothing says, how many pins an
 * IO-APIC has when no second one bounds it, the debug console) are made
 * the common way and marked TODO in the output. What it cannot do
 * without (no reservation, no MCFG, iomem without addresses) is refused
 * with the reason.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "brig-tool.h"

#define MIB (1ULL << 20)
#define PAGE 0x1000ULL
#define MAX_INPUT_SIZE ((size_t)1 << 20) /* a text file or ACPI table */

/* ACPI is little-endian, and its tables are byte-aligned. */
static unsigned int le16(const unsigned char *p)
{
	return (unsigned int)p[0] | (unsigned int)p[1] << 8;
}

static unsigned int le32(const unsigned char *p)
{
	return le16(p) | le16(p + 2) << 16;
}

static unsigned long long le64(const unsigned char *p)
{
	return le32(p) | (unsigned long long)le32(p + 4) << 32;
}

/* --- reading the inputs --------------------------------------------------- */

static char *input_path(const struct create_opts *o, const char *rel)
{
	return xasprintf("%s/%s", o->root, rel);
}

/* A text input, NUL-terminated; NULL (and no report) when absent. */
static char *read_text(const struct create_opts *o, const char *rel,
		       int required, struct diags *d)
{
	char *path = input_path(o, rel), *text = NULL;
	struct diags quiet = { 0 };
	size_t size;
	void *data;

	data = read_file(path, MAX_INPUT_SIZE, "an input file", &size,
			 required ? d : &quiet);
	diags_free(&quiet);
	if (data) {
		text = xrealloc(data, size + 1);
		text[size] = '\0';
	}
	free(path);
	return text;
}

/*
 * An ACPI table by signature, checked: its header's signature and length
 * agree with the file. NULL when absent.
 */
static unsigned char *read_acpi(const struct create_opts *o, const char *sig,
				size_t *len, struct diags *d)
{
	char *rel = xasprintf("sys/firmware/acpi/tables/%s", sig);
	char *path = input_path(o, rel);
	struct diags quiet = { 0 };
	unsigned char *t;

	t = read_file(path, MAX_INPUT_SIZE, "an ACPI table", len, &quiet);
	diags_free(&quiet);
	if (t && (*len < 36 || memcmp(t, sig, 4) ||
		  le32(t + 4) != (unsigned long long)*len)) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL,
			 "not an ACPI %s table (header and size disagree)",
			 sig);
		free(t);
		t = NULL;
	}
	free(rel);
	free(path);
	return t;
}

/* --- the kernel command line: memmap= reservations ------------------------ */

/* "96M", "0x3a000000", "1G": memparse()'s syntax. -1 on garbage. */
static int parse_size(const char *s, const char **end, unsigned long long *v)
{
	char *e;

	errno = 0;
	*v = strtoull(s, &e, 0);
	if (e == s || errno)
		return -1;
	switch (*e) {
	case 'G':
	case 'g':
		*v <<= 10;
		/* fall through */
	case 'M':
	case 'm':
		*v <<= 10;
		/* fall through */
	case 'K':
	case 'k':
		*v <<= 10;
		e++;
		break;
	}
	*end = e;
	return 0;
}

int create_parse_reservations(const char *cmdline, struct create_range *r,
			      unsigned int max, struct diags *d)
{
	unsigned int n = 0;
	const char *p = cmdline;

	while ((p = strstr(p, "memmap="))) {
		const char *s = p + 7;

		/* Only a word that starts with memmap= is the option. */
		if (p != cmdline && !isspace((unsigned char)p[-1])) {
			p = s;
			continue;
		}
		for (;;) {
			unsigned long long size, start;
			const char *e;

			if (parse_size(s, &e, &size))
				break;
			/*
			 * A boot loader's escape that reached the kernel: to
			 * it that is no reservation but a limit on RAM.
			 */
			if (*e == '\\' && e[1] == '$') {
				diag_add(
					d, BRIG_CHECK_ERROR, "/proc/cmdline",
					NULL,
					"a memmap= reservation reached Linux as \"\\$\": the kernel took it as a limit on RAM, not a reservation (in /etc/default/grub write each $ as \\\\\\$)");
				return -1;
			}
			if (*e == '$' && !parse_size(e + 1, &e, &start)) {
				if (n == max) {
					diag_add(
						d, BRIG_CHECK_ERROR,
						"/proc/cmdline", NULL,
						"more than %u memmap= reservations",
						max);
					return -1;
				}
				r[n].start = start;
				r[n].size = size;
				n++;
			}
			if (*e != ',')
				break;
			s = e + 1;
		}
		p = s;
	}
	return (int)n;
}

/* --- /proc/iomem and the firmware map ------------------------------------- */

/*
 * The top-level entries of /proc/iomem ("start-end : name", no indent).
 * -1 when it shows no addresses (read without root's rights).
 */
int create_parse_iomem(const char *text, struct create_range **out,
		       unsigned int *num, struct diags *d)
{
	struct create_range *r = NULL;
	unsigned int n = 0, nonzero = 0;
	const char *line = text;

	for (; line && *line; line = strchr(line, '\n'), line += !!line) {
		unsigned long long start, end;
		char name[64] = "";
		int used = 0;

		if (*line == ' ' || *line == '\n')
			continue;
		if (sscanf(line, "%llx-%llx : %n", &start, &end, &used) != 2 ||
		    !used || end < start)
			continue;
		sscanf(line + used, "%63[^\n]", name);
		r = xrealloc(r, (n + 1) * sizeof(*r));
		r[n] = (struct create_range){ .start = start,
					      .size = end - start + 1 };
		snprintf(r[n].name, sizeof(r[n].name), "%s", name);
		nonzero += start || end;
		n++;
	}
	if (!nonzero) {
		diag_add(
			d, BRIG_CHECK_ERROR, "/proc/iomem", NULL,
			"shows no addresses: run brig config create (or collect) as root");
		free(r);
		return -1;
	}
	*out = r;
	*num = n;
	return 0;
}

static int cmp_range(const void *a, const void *b)
{
	const struct create_range *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* /sys/firmware/memmap/N/{start,end,type}, sorted by address. */
static unsigned int read_firmware_map(const struct create_opts *o,
				      struct create_range **out,
				      struct diags *d)
{
	char *dir = input_path(o, "sys/firmware/memmap");
	struct create_range *r = NULL;
	unsigned int n = 0;
	struct dirent *e;
	DIR *dh = opendir(dir);

	while (dh && (e = readdir(dh))) {
		char *rel, *s, *t, *type;

		if (e->d_name[0] == '.')
			continue;
		rel = xasprintf("sys/firmware/memmap/%s/start", e->d_name);
		s = read_text(o, rel, 0, d);
		free(rel);
		rel = xasprintf("sys/firmware/memmap/%s/end", e->d_name);
		t = read_text(o, rel, 0, d);
		free(rel);
		rel = xasprintf("sys/firmware/memmap/%s/type", e->d_name);
		type = read_text(o, rel, 0, d);
		free(rel);
		if (s && t && type) {
			unsigned long long a = strtoull(s, NULL, 0),
					   b = strtoull(t, NULL, 0);

			if (b >= a) {
				r = xrealloc(r, (n + 1) * sizeof(*r));
				r[n] = (struct create_range){
					.start = a, .size = b - a + 1
				};
				type[strcspn(type, "\n")] = '\0';
				snprintf(r[n].name, sizeof(r[n].name), "%s",
					 type);
				n++;
			}
		}
		free(s);
		free(t);
		free(type);
	}
	if (dh)
		closedir(dh);
	free(dir);
	if (n)
		qsort(r, n, sizeof(*r), cmp_range);
	*out = r;
	return n;
}

/* --- ACPI tables ---------------------------------------------------------- */

/* MCFG: the segment-0 ECAM window. -1 without one. */
int create_parse_mcfg(const unsigned char *t, size_t len,
		      unsigned long long *base, unsigned int *end_bus)
{
	for (size_t off = 44; off + 16 <= len; off += 16)
		if (le16(t + off + 8) == 0) {
			*base = le64(t + off);
			*end_bus = t[off + 11];
			return 0;
		}
	return -1;
}

/*
 * FACP: the PM timer's port (X_PM_TMR_BLK when it is an I/O port, else
 * PM_TMR_BLK); 0 when there is none.
 */
unsigned int create_parse_pm_timer(const unsigned char *t, size_t len)
{
	if (len >= 220 && t[208] == 1 && le64(t + 212))
		return (unsigned int)le64(t + 212);
	return len >= 80 ? le32(t + 76) : 0;
}

/* MADT: the IO-APICs (type 1: id, address, GSI base). */
unsigned int create_parse_madt(const unsigned char *t, size_t len,
			       struct create_ioapic *io, unsigned int max)
{
	unsigned int n = 0;

	for (size_t off = 44; off + 2 <= len && t[off + 1] >= 2;
	     off += t[off + 1]) {
		if (off + t[off + 1] > len)
			break;
		if (t[off] != 1 || t[off + 1] < 12 || n == max)
			continue;
		io[n] = (struct create_ioapic){
			.id = t[off + 2],
			.address = le32(t + off + 4),
			.gsi_base = le32(t + off + 8),
		};
		n++;
	}
	return n;
}

/*
 * The remapping structures of a DMAR table and the blocks of an IVRS
 * table start at 48 and have their length at +2. The length of the one at
 * off, or 0 at the end or where one would run past the table: a walk
 * stops there.
 */
static size_t struct_len(const unsigned char *t, size_t len, size_t off)
{
	size_t n;

	if (off + 4 > len)
		return 0;
	n = le16(t + off + 2);
	return n >= 4 && off + n <= len ? n : 0;
}

/*
 * DMAR: the DRHD units, and the source id that each unit's IOAPIC device
 * scope gives an IO-APIC (bus, then the last device/function of its
 * path). Returns the number of units, which may be more than max (only
 * max are stored).
 */
unsigned int create_parse_dmar(const unsigned char *t, size_t len,
			       struct create_iommu *u, unsigned int max,
			       struct create_ioapic *io, unsigned int num_io)
{
	unsigned int n = 0;

	for (size_t off = 48, rlen; (rlen = struct_len(t, len, off));
	     off += rlen) {
		/* DRHDs of PCI segment 0 only: brig knows no other. */
		if (le16(t + off) != 0 || rlen < 16 || le16(t + off + 6))
			continue;
		if (n < max)
			u[n] = (struct create_iommu){
				.type = "vtd",
				.base = le64(t + off + 8),
				.size = (unsigned int)(PAGE
						       << (t[off + 5] & 0xf)),
			};
		n++;
		for (size_t s = off + 16; s + 6 <= off + rlen && t[s + 1] >= 6;
		     s += t[s + 1]) {
			unsigned int last = s + t[s + 1] - 2;

			/*
			 * An IOAPIC scope with one hop: its source id is the
			 * start bus and that device/function. A longer path
			 * would need the bridges' bus numbers: not taken.
			 */
			if (s + t[s + 1] > off + rlen || t[s] != 3 ||
			    t[s + 1] != 8)
				continue;
			for (unsigned int k = 0; k < num_io; k++)
				if (io[k].id == t[s + 4]) {
					io[k].source_id =
						(unsigned int)t[s + 5] << 8 |
						(unsigned int)t[last] << 3 |
						t[last + 1];
					io[k].unit = n - 1;
				}
		}
	}
	return n;
}

/*
 * IVRS: the IVHD blocks (types 0x10, 0x11, 0x40): base, BDF, cap. Counts
 * as create_parse_dmar() does.
 */
unsigned int create_parse_ivrs(const unsigned char *t, size_t len,
			       struct create_iommu *u, unsigned int max)
{
	unsigned int n = 0;

	for (size_t off = 48, blen; (blen = struct_len(t, len, off));
	     off += blen) {
		if ((t[off] != 0x10 && t[off] != 0x11 && t[off] != 0x40) ||
		    blen < 24)
			continue;
		/* Each unit is listed once per IVHD type it supports. */
		for (unsigned int k = 0; k < n && k < max; k++)
			if (u[k].base == le64(t + off + 8))
				goto next;
		if (n < max)
			u[n] = (struct create_iommu){
				.type = "amd-vi",
				.base = le64(t + off + 8),
				.size = 0x4000,
				.amd_bdf = le16(t + off + 4),
				.amd_cap = le16(t + off + 6),
			};
		n++;
next:;
	}
	return n;
}

/*
 * DMAR RMRRs (type 1: base at +8, limit at +16): memory the firmware's
 * devices go on reaching by DMA. Segment 0 only.
 */
unsigned int create_parse_rmrr(const unsigned char *t, size_t len,
			       struct create_range *r, unsigned int max)
{
	unsigned int n = 0;

	for (size_t off = 48, rlen; (rlen = struct_len(t, len, off));
	     off += rlen) {
		unsigned long long base, limit;

		if (le16(t + off) != 1 || rlen < 24 || le16(t + off + 6) ||
		    n == max)
			continue;
		base = le64(t + off + 8);
		limit = le64(t + off + 16);
		if (limit < base)
			continue;
		r[n] = (struct create_range){ .start = base,
					      .size = limit - base + 1 };
		snprintf(r[n].name, sizeof(r[n].name), "RMRR");
		n++;
	}
	return n;
}

/* IVRS IVMD blocks (types 0x20-0x22: start at +16, length at +24). */
unsigned int create_parse_ivmd(const unsigned char *t, size_t len,
			       struct create_range *r, unsigned int max)
{
	unsigned int n = 0;

	for (size_t off = 48, blen; (blen = struct_len(t, len, off));
	     off += blen) {
		if (t[off] < 0x20 || t[off] > 0x22 || blen < 32 ||
		    !le64(t + off + 24) || n == max)
			continue;
		r[n] = (struct create_range){ .start = le64(t + off + 16),
					      .size = le64(t + off + 24) };
		snprintf(r[n].name, sizeof(r[n].name), "IVMD");
		n++;
	}
	return n;
}

/* --- CPUs ------------------------------------------------------------------ */

static unsigned int read_cpu_list(const struct create_opts *o, const char *rel,
				  unsigned int *cpus, unsigned int max,
				  struct diags *d)
{
	char *text = read_text(o, rel, 0, d);
	int n = text ? cell_parse_cpu_list(text, cpus, max) : -1;

	free(text);
	return n < 0 ? 0 : (unsigned int)n;
}

struct facts {
	struct create_range res[8];
	unsigned int nres, hv_index;
	struct create_range *io, *fw;
	unsigned int nio, nfw;
	struct create_range dma[16]; /* DMAR RMRR, IVRS IVMD */
	unsigned int ndma;
	unsigned long long mmcfg;
	unsigned int end_bus, pm_timer;
	struct create_iommu units[BRIG_MAX_IOMMU_UNITS];
	unsigned int nunits;
	struct create_ioapic ioapics[8];
	unsigned int nioapics;
	unsigned int cpus[256], ncpus;
};

/* --- the memory map --------------------------------------------------------- */

struct region {
	unsigned long long start, size;
	const char *type; /* "ram" or "mmio" */
	const char *flags;
	char name[48];
	const char *comment;
};

struct map {
	struct region *r;
	unsigned int n;
};

static void add_region(struct map *m, const char *name, unsigned long long a,
		       unsigned long long b, const char *type,
		       const char *flags, const char *comment)
{
	struct region *r;

	if (b <= a)
		return;
	m->r = xrealloc(m->r, (m->n + 1) * sizeof(*m->r));
	r = &m->r[m->n++];
	*r = (struct region){ a, b - a, type, flags, "", comment };
	snprintf(r->name, sizeof(r->name), "%s", name);
}

#define RAM_FLAGS "\"read\", \"write\", \"execute\", \"dma\""
#define MMIO_FLAGS "\"read\", \"write\""

static unsigned long long page_down(unsigned long long a)
{
	return a & ~(PAGE - 1);
}

static unsigned long long page_up(unsigned long long a)
{
	return (a + PAGE - 1) & ~(PAGE - 1);
}

static int overlaps(unsigned long long a, unsigned long long b,
		    const struct create_range *r)
{
	return a < r->start + r->size && r->start < b;
}

/* A short node name for an iomem entry ("PCI Bus 0000:00" -> pci-bus). */
static void node_name(const char *what, char *out, size_t size)
{
	static const struct {
		const char *prefix, *name;
	} known[] = {
		{ "PCI Bus", "pci-hole" },
		{ "PCI MMCONFIG", "mmconfig" },
		{ "IOAPIC", "ioapic" },
		{ "HPET", "hpet" },
		{ "Local APIC", "lapic" },
		{ "dmar", "vtd" },
		{ "amd_iommu", "amd-iommu" },
		{ "Reserved", "reserved" },
		{ "ACPI Tables", "acpi" },
		{ "ACPI Non-volatile", "acpi-nvs" },
		{ "System RAM", "ram" },
	};
	size_t k = 0;

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strncmp(what, known[i].prefix, strlen(known[i].prefix))) {
			snprintf(out, size, "%s", known[i].name);
			return;
		}
	for (; *what && k + 1 < size; what++)
		if (isalnum((unsigned char)*what))
			out[k++] = (char)tolower((unsigned char)*what);
		else if (k && out[k - 1] != '-')
			out[k++] = '-';
	while (k && out[k - 1] == '-')
		k--;
	out[k] = '\0';
	if (!k)
		snprintf(out, size, "mmio");
}

/*
 * The part of a reservation the firmware called RAM is the hypervisor's
 * or the cells'; what it called anything else (SeaBIOS keeps its ACPI
 * tables there) stays the root's to read, as it was before memmap=. A
 * hole in the firmware's map goes to nobody.
 */
static void add_firmware_parts(struct map *m, unsigned long long from,
			       unsigned long long end,
			       const struct create_range *fw, unsigned int nfw,
			       const char *pool_comment)
{
	for (unsigned int k = 0; k < nfw; k++) {
		unsigned long long a = fw[k].start,
				   b = fw[k].start + fw[k].size;
		int ram = !strcmp(fw[k].name, "System RAM");

		/* RAM to cells only whole pages; the firmware's, every page. */
		a = ram ? page_up(a) : page_down(a);
		b = ram ? page_down(b) : page_up(b);
		if (a < from)
			a = from;
		if (b > end)
			b = end;
		if (a >= b)
			continue;
		if (ram)
			add_region(m, "cell-pool", a, b, "ram",
				   RAM_FLAGS ", \"reserved\"", pool_comment);
		else
			add_region(
				m, "firmware", a, b, "ram", MMIO_FLAGS,
				"what the firmware keeps inside the reservation (it was not RAM to it): still the root's to read");
	}
}

/*
 * An iomem entry less the ranges taken out of it (the reservations, and
 * the firmware's DMA ranges, which go in on their own): its parts, each
 * added as kind says.
 */
static void add_outside(struct map *m, const char *name, unsigned long long a,
			unsigned long long b, const char *type,
			const char *flags, const struct create_range *out,
			unsigned int nout)
{
	for (unsigned int k = 0; k < nout && a < b; k++) {
		unsigned long long s = page_down(out[k].start),
				   e = page_up(out[k].start + out[k].size);

		if (e <= a || s >= b)
			continue;
		if (s > a)
			add_outside(m, name, a, s, type, flags, out + k + 1,
				    nout - k - 1);
		a = e;
	}
	add_region(m, name, a, b, type, flags, NULL);
}

/*
 * Everything the root maps: below 1 MiB the PC's fixed layout, above it
 * each top-level iomem entry by kind, less the reservations and the
 * firmware's DMA ranges; then those.
 */
static void build_map(struct map *m, const struct facts *x,
		      unsigned long long hv_size)
{
	unsigned int nout = x->nres + x->ndma;
	struct create_range *out = xcalloc(nout, sizeof(*out));

	memcpy(out, x->res, x->nres * sizeof(*out));
	memcpy(out + x->nres, x->dma, x->ndma * sizeof(*out));
	add_region(m, "low-ram", 0, 0xa0000, "ram", RAM_FLAGS,
		   "the PC's first 640 KiB");
	add_region(m, "vga", 0xa0000, 0xc0000, "mmio", MMIO_FLAGS,
		   "the legacy VGA window");
	add_region(m, "bios", 0xc0000, 0x100000, "ram", RAM_FLAGS,
		   "option ROMs and the BIOS");
	for (unsigned int i = 0; i < x->nio; i++) {
		const struct create_range *e = &x->io[i];
		unsigned long long a = page_down(e->start),
				   b = page_up(e->start + e->size);
		const char *type = "mmio", *flags = MMIO_FLAGS;
		char name[48];

		if (b <= 0x100000)
			continue;
		if (a < 0x100000)
			a = 0x100000;
		node_name(e->name, name, sizeof(name));
		if (!strcmp(e->name, "System RAM")) {
			type = "ram";
			flags = RAM_FLAGS;
		} else if (!strncmp(e->name, "ACPI", 4)) {
			type = "ram";
		}
		add_outside(m, name, a, b, type, flags, out, nout);
	}
	for (unsigned int k = 0; k < x->ndma; k++)
		add_region(
			m, "firmware-dma", page_down(x->dma[k].start),
			page_up(x->dma[k].start + x->dma[k].size), "ram",
			MMIO_FLAGS ", \"dma\"",
			"memory the firmware's devices keep using by DMA (DMAR RMRR, IVRS IVMD)");
	for (unsigned int k = 0; k < x->nres; k++) {
		const struct create_range *r = &x->res[k];

		add_firmware_parts(
			m, r->start + (k == x->hv_index ? hv_size : 0),
			r->start + r->size, x->fw, x->nfw,
			k == x->hv_index ?
				"memory for cells: the rest of the hypervisor's reservation" :
				"memory for cells (a memmap= reservation), a Linux cell's among them");
	}
	free(out);
}

/*
 * Regions sorted. Where two overlap after page rounding, one of a kind
 * (type and flags) merges, and of different kinds the later one starts
 * where the earlier ends: RAM never turns into MMIO by a merge, nor a
 * pool into the root's RAM.
 */
static void tidy_map(struct map *m)
{
	unsigned int k = 0;

	qsort(m->r, m->n, sizeof(*m->r), cmp_range);
	for (unsigned int i = 0; i < m->n; i++) {
		struct region *prev = k ? &m->r[k - 1] : NULL;
		struct region r = m->r[i];

		if (prev && r.start < prev->start + prev->size) {
			unsigned long long pend = prev->start + prev->size,
					   end = r.start + r.size;

			if (!strcmp(r.type, prev->type) &&
			    !strcmp(r.flags, prev->flags)) {
				if (end > pend)
					prev->size = end - prev->start;
				continue;
			}
			if (end <= pend)
				continue;
			r.size = end - pend;
			r.start = pend;
			snprintf(r.name, sizeof(r.name), "%s", m->r[i].name);
		}
		m->r[k++] = r;
	}
	m->n = k;
}

/* --- output --------------------------------------------------------------- */

static void print_u64(FILE *f, const char *prop, unsigned long long v)
{
	if (v > 0xffffffffULL)
		fprintf(f, "%s = /bits/ 64 <0x%llx>;\n", prop, v);
	else
		fprintf(f, "%s = <0x%llx>;\n", prop, v);
}

static void indent(FILE *f, unsigned int level)
{
	while (level--)
		fputc('\t', f);
}

static void print_region(FILE *f, const struct region *r)
{
	if (r->comment) {
		indent(f, 3);
		fprintf(f, "/* %s */\n", r->comment);
	}
	indent(f, 3);
	fprintf(f, "%s@%llx {\n", r->name, r->start);
	indent(f, 4);
	print_u64(f, "phys-start", r->start);
	indent(f, 4);
	print_u64(f, "size", r->size);
	indent(f, 4);
	fprintf(f, "type = \"%s\";\n", r->type);
	indent(f, 4);
	fprintf(f, "flags = %s;\n", r->flags);
	indent(f, 3);
	fprintf(f, "};\n");
}

static void print_cpus(FILE *f, const unsigned int *cpus, unsigned int n)
{
	fputc('<', f);
	for (unsigned int i = 0; i < n; i++)
		fprintf(f, "%s%u", i ? " " : "", cpus[i]);
	fputc('>', f);
}

/* /smt-siblings: one property per core with more than one CPU. */
static void print_smt(FILE *f, const struct create_opts *o,
		      const unsigned int *cpus, unsigned int ncpus,
		      struct diags *d)
{
	unsigned int seen[256] = { 0 };

	fprintf(f,
		"\t/* Which CPUs share a core (sysfs thread_siblings_list). */\n\tsmt-siblings {\n");
	for (unsigned int i = 0; i < ncpus; i++) {
		unsigned int sib[256], n;
		char *rel;

		if (cpus[i] >= 256 || seen[cpus[i]])
			continue;
		rel = xasprintf(
			"sys/devices/system/cpu/cpu%u/topology/thread_siblings_list",
			cpus[i]);
		n = read_cpu_list(o, rel, sib, 256, d);
		free(rel);
		for (unsigned int k = 0; k < n; k++)
			if (sib[k] < 256)
				seen[sib[k]] = 1;
		if (n > 1) {
			fprintf(f, "\t\tcore-%u = ", cpus[i]);
			print_cpus(f, sib, n);
			fprintf(f, ";\n");
		}
	}
	fprintf(f, "\t};\n\n");
}

/* A cell name the checker takes: letters, digits, '-', '_' and '.'. */
static void root_cell_name(const struct create_opts *o, char *out, size_t size,
			   struct diags *d)
{
	char *host = read_text(o, "proc/sys/kernel/hostname", 0, d);
	size_t k = 0;

	for (const char *p = host ? host : ""; *p && k + 1 < size; p++)
		if (isalnum((unsigned char)*p) || *p == '-' || *p == '_' ||
		    *p == '.')
			out[k++] = *p;
	out[k] = '\0';
	/* An initramfs's "(none)" names no machine. */
	if (!k || (host && !strncmp(host, "(none)", 6)))
		snprintf(out, size, "root");
	free(host);
}

static void print_console(FILE *f, const char *console)
{
	fprintf(f, "\tdebug-console {\n");
	if (!strcmp(console, "pio-e9")) {
		fprintf(f, "\t\ttype = \"pio-e9\";\n\t\taddress = <0xe9>;\n");
	} else if (!strncmp(console, "pio-8250", 8)) {
		fprintf(f, "\t\ttype = \"pio-8250\";\n\t\taddress = <%s>;\n",
			console[8] == ':' ? console + 9 : "0x3f8");
	} else {
		fprintf(f,
			"\t\t/*\n\t\t * TODO: where the hypervisor writes: \"pio-8250\" with\n\t\t * address = <0x3f8> (a UART Linux does not use), or\n\t\t * \"pio-e9\" under QEMU with -debugcon (brig config create\n\t\t * --console).\n\t\t */\n\t\ttype = \"none\";\n");
	}
	fprintf(f, "\t};\n\n");
}

static void print_platform(FILE *f, const struct facts *x)
{
	fprintf(f, "\tplatform {\n");
	fprintf(f, "\t\t/* ACPI MCFG, segment 0 */\n\t\t");
	print_u64(f, "pci-mmconfig-base", x->mmcfg);
	fprintf(f, "\t\tpci-mmconfig-end-bus = <0x%x>;\n", x->end_bus);
	if (x->pm_timer)
		fprintf(f, "\t\t/* ACPI FADT */\n\t\tpm-timer-port = <0x%x>;\n",
			x->pm_timer);
	for (unsigned int i = 0; i < x->nunits; i++) {
		const struct create_iommu *u = &x->units[i];

		fprintf(f, "\n\t\t/* ACPI %s */\n\t\tiommu@%llx {\n",
			!strcmp(u->type, "vtd") ? "DMAR" : "IVRS", u->base);
		fprintf(f, "\t\t\ttype = \"%s\";\n\t\t\t", u->type);
		print_u64(f, "base", u->base);
		fprintf(f, "\t\t\tsize = <0x%x>;\n", u->size);
		if (!strcmp(u->type, "amd-vi"))
			fprintf(f,
				"\t\t\tamd-bdf = <0x%x>;\n\t\t\tamd-cap = <0x%x>;\n",
				u->amd_bdf, u->amd_cap);
		fprintf(f, "\t\t};\n");
	}
	fprintf(f, "\t};\n\n");
}

/*
 * The root's IO-APICs, for VT-d only: each needs the source id its DMAR
 * device scope gives, so that its pins can go to cells through interrupt
 * remapping. Pins: up to the next IO-APIC's GSI base; the last one's
 * count the tables do not give.
 */
static void print_irqchips(FILE *f, const struct facts *x)
{
	unsigned int printed = 0;

	for (unsigned int i = 0; i < x->nioapics; i++) {
		const struct create_ioapic *a = &x->ioapics[i];
		unsigned int pins = 24, next = ~0u;

		if (!a->source_id)
			continue;
		for (unsigned int k = 0; k < x->nioapics; k++)
			if (x->ioapics[k].gsi_base > a->gsi_base &&
			    x->ioapics[k].gsi_base < next)
				next = x->ioapics[k].gsi_base;
		if (next != ~0u && next - a->gsi_base <= 120)
			pins = next - a->gsi_base;
		if (!printed++)
			fprintf(f,
				"\t\t/* ACPI MADT, with the source ids of DMAR's device scopes */\n\t\tirqchips {\n");
		fprintf(f,
			"\t\t\tioapic@%x {\n\t\t\t\taddress = <0x%x>;\n\t\t\t\tid = <0x%x>;\n",
			a->address, a->address, a->source_id);
		if (a->unit)
			fprintf(f, "\t\t\t\tiommu = <%u>;\n", a->unit);
		if (a->gsi_base)
			fprintf(f, "\t\t\t\tpin-base = <%u>;\n", a->gsi_base);
		if (next == ~0u)
			fprintf(f,
				"\t\t\t\t/* TODO: 24 pins assumed (the hypervisor reads the real count and uses no more) */\n");
		fprintf(f, "\t\t\t\tpins = <");
		for (unsigned int p = 0; p < pins; p++)
			fprintf(f, "%s%u", p ? " " : "", p);
		fprintf(f, ">;\n\t\t\t};\n");
	}
	if (printed)
		fprintf(f, "\t\t};\n\n");
}

static void print_description(FILE *f, const struct create_opts *o,
			      const struct facts *x, const struct map *m,
			      struct diags *d)
{
	const struct create_range *hv = &x->res[x->hv_index];
	char name[64];

	root_cell_name(o, name, sizeof(name), d);
	fprintf(f,
		"// SPDX-License-Identifier: GPL-2.0\n/*\n * System description generated by `brig config create`%s%s.\n * Read it before use: every TODO marks a choice the machine's tables\n * could not settle.\n *\n * Linux must keep booting with these reservations on its command line\n * (in /etc/default/grub, write each $ as \\\\\\$; in grub.cfg as \\$):\n",
		o->source ? " from " : "", o->source ? o->source : "");
	for (unsigned int k = 0; k < x->nres; k++)
		fprintf(f, " *   memmap=0x%llx$0x%llx%s\n", x->res[k].size,
			x->res[k].start,
			k == x->hv_index ? "  (the hypervisor and cells)" :
					   "  (cells)");
	fprintf(f,
		" */\n/dts-v1/;\n\n/ {\n\tcompatible = \"brig,system\";\n\tarchitecture = \"x86-64\";\n\n");
	fprintf(f,
		"\t/* The first %llu MiB of the reservation at 0x%llx. */\n\thypervisor {\n\t\t",
		o->hv_size / MIB, hv->start);
	print_u64(f, "phys-start", hv->start);
	fprintf(f, "\t\t");
	print_u64(f, "size", o->hv_size);
	fprintf(f, "\t};\n\n");
	print_console(f, o->console);
	print_platform(f, x);
	print_smt(f, o, x->cpus, x->ncpus, d);
	fprintf(f, "\troot-cell {\n\t\tcell-name = \"%s\";\n\t\tcpus = ", name);
	print_cpus(f, x->cpus, x->ncpus);
	fprintf(f, ";\n\n");
	print_irqchips(f, x);
	fprintf(f, "\t\tmemory {\n");
	for (unsigned int i = 0; i < m->n; i++)
		print_region(f, &m->r[i]);
	fprintf(f,
		"\t\t};\n\n\t\tports {\n\t\t\tall {\n\t\t\t\tbase = <0x0>;\n\t\t\t\tlength = <0x10000>;\n\t\t\t\tflags = \"read\", \"write\";\n\t\t\t};\n\t\t};\n\t};\n};\n");
}

/* --- gathering ------------------------------------------------------------ */

/* Which reservation holds the hypervisor: --hypervisor, else the first. */
static int pick_hypervisor(const struct create_opts *o, struct facts *x,
			   struct diags *d)
{
	x->hv_index = 0;
	if (o->hv_start) {
		unsigned int k;

		for (k = 0; k < x->nres; k++)
			if (x->res[k].start == o->hv_start)
				break;
		if (k == x->nres) {
			diag_add(
				d, BRIG_CHECK_ERROR, "/proc/cmdline", NULL,
				"no memmap= reservation starts at 0x%llx (--hypervisor)",
				o->hv_start);
			return -1;
		}
		x->hv_index = k;
	}
	if (x->res[x->hv_index].size < o->hv_size) {
		diag_add(
			d, BRIG_CHECK_ERROR, "/proc/cmdline", NULL,
			"the reservation at 0x%llx (%llu MiB) is smaller than the hypervisor's %llu MiB",
			x->res[x->hv_index].start,
			x->res[x->hv_index].size / MIB, o->hv_size / MIB);
		return -1;
	}
	return 0;
}

/*
 * Each reservation must be what Linux left alone (not System RAM in
 * iomem), and the hypervisor's part of it RAM to the firmware too.
 */
/* Is [a, b) inside what the firmware calls System RAM, all of it? */
static int firmware_ram(const struct facts *x, unsigned long long a,
			unsigned long long b)
{
	for (unsigned int i = 0; i < x->nfw && a < b; i++)
		if (!strcmp(x->fw[i].name, "System RAM") &&
		    x->fw[i].start <= a && a < x->fw[i].start + x->fw[i].size)
			a = x->fw[i].start + x->fw[i].size;
	return a >= b;
}

/*
 * Each reservation must be page-aligned (the hypervisor's 2 MiB-aligned)
 * and what Linux left alone (not System RAM in iomem); the hypervisor's
 * part RAM to the firmware, all of it. Without the firmware's map RAM
 * cannot be told from device memory.
 */
static int check_reservations(const struct facts *x, unsigned long long hv_size,
			      struct diags *d)
{
	const struct create_range *hv = &x->res[x->hv_index];

	if (!x->nfw) {
		diag_add(
			d, BRIG_CHECK_ERROR, "/sys/firmware/memmap", NULL,
			"not there: without the firmware's memory map, RAM cannot be told from device memory (a kernel without CONFIG_FIRMWARE_MEMMAP)");
		return -1;
	}
	for (unsigned int k = 0; k < x->nres; k++) {
		const struct create_range *r = &x->res[k];

		if ((r->start | r->size) & (PAGE - 1) ||
		    r->start + r->size < r->start) {
			diag_add(
				d, BRIG_CHECK_ERROR, "/proc/cmdline", NULL,
				"the memmap= reservation of 0x%llx at 0x%llx is not whole pages",
				r->size, r->start);
			return -1;
		}
		for (unsigned int i = 0; i < x->nio; i++)
			if (!strcmp(x->io[i].name, "System RAM") &&
			    overlaps(r->start, r->start + r->size, &x->io[i])) {
				diag_add(
					d, BRIG_CHECK_ERROR, "/proc/iomem",
					NULL,
					"the memmap= reservation at 0x%llx is System RAM to Linux: it did not take it",
					r->start);
				return -1;
			}
	}
	if (hv->start & (2 * MIB - 1)) {
		diag_add(
			d, BRIG_CHECK_ERROR, "/proc/cmdline", NULL,
			"the hypervisor's reservation at 0x%llx is not 2 MiB aligned",
			hv->start);
		return -1;
	}
	if (!firmware_ram(x, hv->start, hv->start + hv_size)) {
		diag_add(
			d, BRIG_CHECK_ERROR, "/sys/firmware/memmap", NULL,
			"the hypervisor's %llu MiB at 0x%llx are not all RAM to the firmware (it keeps or leaves out part of them): reserve elsewhere, or name another reservation with --hypervisor",
			hv_size / MIB, hv->start);
		return -1;
	}
	return 0;
}

static int gather_tables(const struct create_opts *o, struct facts *x,
			 struct diags *d)
{
	unsigned char *t;
	size_t len;

	t = read_acpi(o, "MCFG", &len, d);
	if (!t || create_parse_mcfg(t, len, &x->mmcfg, &x->end_bus)) {
		diag_add(
			d, BRIG_CHECK_ERROR, "sys/firmware/acpi/tables/MCFG",
			NULL,
			"no ACPI MCFG table with a segment-0 entry: brig needs the PCI configuration space's MMCONFIG window");
		free(t);
		return -1;
	}
	free(t);
	t = read_acpi(o, "FACP", &len, d);
	if (t)
		x->pm_timer = create_parse_pm_timer(t, len);
	free(t);
	t = read_acpi(o, "APIC", &len, d);
	if (!t) {
		diag_add(d, BRIG_CHECK_ERROR, "sys/firmware/acpi/tables/APIC",
			 NULL, "no ACPI MADT: the IO-APICs are not known");
		return -1;
	}
	x->nioapics = create_parse_madt(t, len, x->ioapics, 8);
	free(t);
	t = read_acpi(o, "DMAR", &len, d);
	if (t) {
		x->nunits = create_parse_dmar(t, len, x->units,
					      BRIG_MAX_IOMMU_UNITS, x->ioapics,
					      x->nioapics);
		x->ndma = create_parse_rmrr(t, len, x->dma, 16);
	}
	free(t);
	t = read_acpi(o, "IVRS", &len, d);
	if (t && !x->nunits) {
		x->nunits = create_parse_ivrs(t, len, x->units,
					      BRIG_MAX_IOMMU_UNITS);
		x->ndma = create_parse_ivmd(t, len, x->dma, 16);
	}
	free(t);
	if (x->nunits > BRIG_MAX_IOMMU_UNITS) {
		diag_add(d, BRIG_CHECK_ERROR, "sys/firmware/acpi/tables", NULL,
			 "%u IOMMU units: brig drives at most %u", x->nunits,
			 BRIG_MAX_IOMMU_UNITS);
		return -1;
	}
	if (!x->nunits)
		diag_add(
			d, BRIG_CHECK_WARNING, "sys/firmware/acpi/tables", NULL,
			"no DMAR or IVRS table: without an IOMMU, devices the root drives can reach the hypervisor's memory by DMA");
	return 0;
}

/*
 * The reservation to add to a Linux that has none: 96 MiB (the
 * hypervisor's 16 and 80 for cells) at the top of the highest System RAM
 * range below 4 GiB that holds it, 2 MiB aligned.
 */
static void suggest_reservation(const struct facts *x,
				unsigned long long hv_size, struct diags *d)
{
	unsigned long long size = hv_size + 80 * MIB, best = 0;

	for (unsigned int i = 0; i < x->nio; i++) {
		const struct create_range *r = &x->io[i];
		unsigned long long end = r->start + r->size, at;

		if (strcmp(r->name, "System RAM") || end > 1ULL << 32)
			continue;
		at = (end - size) & ~(2 * MIB - 1);
		if (r->size >= size + 2 * MIB && at >= r->start && at > best)
			best = at;
	}
	if (best)
		diag_add(
			d, BRIG_CHECK_ERROR, "/proc/cmdline", NULL,
			"Linux was booted without a memmap= reservation: add memmap=%lluM$0x%llx to its command line (%llu MiB for the hypervisor, the rest for cells; in /etc/default/grub write the $ as \\\\\\$), and boot again",
			size / MIB, best, hv_size / MIB);
	else
		diag_add(
			d, BRIG_CHECK_ERROR, "/proc/cmdline", NULL,
			"Linux was booted without a memmap= reservation, and no System RAM below 4 GiB holds the %llu MiB one brig needs",
			size / MIB);
}

static int gather(const struct create_opts *o, struct facts *x, struct diags *d)
{
	char *text = read_text(o, "proc/iomem", 1, d);
	int n;

	if (!text)
		return -1;
	n = create_parse_iomem(text, &x->io, &x->nio, d);
	free(text);
	if (n < 0)
		return -1;
	text = read_text(o, "proc/cmdline", 1, d);
	if (!text)
		return -1;
	n = create_parse_reservations(text, x->res, 8, d);
	free(text);
	if (n < 0)
		return -1;
	if (!n) {
		suggest_reservation(x, o->hv_size, d);
		return -1;
	}
	x->nres = (unsigned int)n;
	if (pick_hypervisor(o, x, d))
		return -1;
	x->nfw = read_firmware_map(o, &x->fw, d);
	if (check_reservations(x, o->hv_size, d))
		return -1;
	x->ncpus = read_cpu_list(o, "sys/devices/system/cpu/present", x->cpus,
				 256, d);
	if (!x->ncpus) {
		diag_add(d, BRIG_CHECK_ERROR, "sys/devices/system/cpu/present",
			 NULL, "no CPUs listed");
		return -1;
	}
	return gather_tables(o, x, d);
}

int config_create(const struct create_opts *o, FILE *out, struct diags *d)
{
	struct facts x = { 0 };
	struct map m = { 0 };
	int rc = -1;

	if (!gather(o, &x, d)) {
		build_map(&m, &x, o->hv_size);
		tidy_map(&m);
		print_description(out, o, &x, &m, d);
		rc = 0;
	}
	free(m.r);
	free(x.io);
	free(x.fw);
	return rc;
}

/* --- collecting ------------------------------------------------------------ */

/* The inputs create reads, relative to the root; "*" for each CPU. */
static const char *const collected[] = {
	"proc/cmdline",
	"proc/iomem",
	"proc/sys/kernel/hostname",
	"sys/devices/system/cpu/present",
	"sys/firmware/acpi/tables/FACP",
	"sys/firmware/acpi/tables/MCFG",
	"sys/firmware/acpi/tables/APIC",
	"sys/firmware/acpi/tables/DMAR",
	"sys/firmware/acpi/tables/IVRS",
	NULL,
};

static int mkdirs(const char *dir, const char *rel)
{
	char *path = xasprintf("%s/%s", dir, rel);
	int rc = 0;

	for (char *p = path + strlen(dir) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		if (mkdir(path, 0755) && errno != EEXIST)
			rc = -1;
		*p = '/';
	}
	free(path);
	return rc;
}

/* One input copied into dir, if the machine has it. */
static int collect_one(const char *dir, const char *rel, struct diags *d)
{
	char *from = xasprintf("/%s", rel), *to = NULL;
	struct diags quiet = { 0 };
	void *data;
	size_t size;
	int rc = 0;

	data = read_file(from, MAX_INPUT_SIZE, "an input file", &size, &quiet);
	diags_free(&quiet);
	if (data) {
		to = xasprintf("%s/%s", dir, rel);
		rc = mkdirs(dir, rel) ? -1 : write_file(to, data, size, d);
	}
	free(data);
	free(from);
	free(to);
	return rc;
}

static int collect_dir(const char *dir, const char *sub, const char *leaf,
		       struct diags *d)
{
	char *path = xasprintf("/%s", sub);
	DIR *dh = opendir(path);
	struct dirent *e;
	int rc = 0;

	while (dh && (e = readdir(dh))) {
		char *rel;

		if (e->d_name[0] == '.')
			continue;
		rel = xasprintf("%s/%s/%s", sub, e->d_name, leaf);
		rc |= collect_one(dir, rel, d);
		free(rel);
	}
	if (dh)
		closedir(dh);
	free(path);
	return rc;
}

int config_collect(const char *dir, struct diags *d)
{
	static const char *const memmap_files[] = { "start", "end", "type",
						    NULL };
	int rc = 0;

	for (const char *const *p = collected; *p; p++)
		rc |= collect_one(dir, *p, d);
	for (const char *const *p = memmap_files; *p; p++)
		rc |= collect_dir(dir, "sys/firmware/memmap", *p, d);
	rc |= collect_dir(dir, "sys/devices/system/cpu",
			  "topology/thread_siblings_list", d);
	return rc ? -1 : 0;
}
