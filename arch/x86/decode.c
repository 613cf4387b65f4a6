// SPDX-License-Identifier: GPL-2.0
/*
 * The x86 instruction decoder for trapped memory accesses.
 *
 * Only the MOV family is accepted: compilers use it for MMIO (readl/writel
 * are single MOVs), and anything else (string instructions, read-modify-
 * write, SSE) touching device memory is a guest bug or an attack. The
 * decoder understands the legacy operand-size and segment prefixes, REX,
 * ModRM with SIB and displacements (only the instruction length matters for
 * the address: the faulting address comes from the exit).
 *
 * Also here, as pure as the decoder and tested with it: telling a root
 * access that fails again and again, without progress, from one that
 * failed once (x86_fault_repeat()).
 */
#include <arch/mmio.h>
#include <arch/percpu-types.h>

struct decoder {
	const u8 *p, *end;
	u8 rex;
	bool opsize16;
};

static bool next_byte(struct decoder *d, u8 *b)
{
	if (d->p >= d->end)
		return false;
	*b = *d->p++;
	return true;
}

static bool skip_bytes(struct decoder *d, unsigned int n)
{
	if ((unsigned int)(d->end - d->p) < n)
		return false;
	d->p += n;
	return true;
}

/* Skip ModRM's addressing bytes; return the reg field (REX.R applied). */
static bool parse_modrm(struct decoder *d, unsigned int *reg)
{
	u8 modrm, sib, mod, rm;

	if (!next_byte(d, &modrm))
		return false;
	mod = modrm >> 6;
	rm = modrm & 7;
	*reg = ((modrm >> 3) & 7) | ((d->rex & 4) ? 8 : 0);
	if (mod == 3)
		return false; /* a register operand cannot have faulted */
	if (rm == 4) {
		if (!next_byte(d, &sib))
			return false;
		if (mod == 0 && (sib & 7) == 5)
			return skip_bytes(d, 4);
	}
	if (mod == 0 && rm == 5)
		return skip_bytes(d, 4); /* RIP-relative disp32 */
	if (mod == 1)
		return skip_bytes(d, 1);
	if (mod == 2)
		return skip_bytes(d, 4);
	return true;
}

static unsigned int operand_size(const struct decoder *d)
{
	if (d->rex & 8)
		return 8;
	return d->opsize16 ? 2 : 4;
}

/*
 * The value of register reg at width size. Without REX, byte registers
 * 4..7 are AH, CH, DH, BH: bits 8..15 of RAX..RBX.
 */
static u64 read_reg(const struct x86_gprs *g, const struct decoder *d,
		    unsigned int reg, unsigned int size)
{
	u64 v;

	if (size == 1 && !d->rex && reg >= 4 && reg < 8)
		return (*g->reg[reg - 4] >> 8) & 0xff;
	v = *g->reg[reg];
	return size == 8 ? v : v & ((1ULL << (size * 8)) - 1);
}

static u64 read_imm(struct decoder *d, unsigned int size, bool *ok)
{
	/* imm32 is sign-extended to 64 bits for 8-byte operands */
	unsigned int bytes = size == 8 ? 4 : size;
	u64 v = 0;
	u8 b;

	*ok = true;
	for (unsigned int i = 0; i < bytes; i++) {
		if (!next_byte(d, &b)) {
			*ok = false;
			return 0;
		}
		v |= (u64)b << (8 * i);
	}
	if (size == 8 && (v & 0x80000000))
		v |= 0xffffffff00000000ULL;
	return v;
}

static bool skip_prefixes(struct decoder *d, u8 *op)
{
	for (;;) {
		if (!next_byte(d, op))
			return false;
		switch (*op) {
		case 0x66:
			d->opsize16 = true;
			continue;
		case 0x26:
		case 0x2e:
		case 0x36:
		case 0x3e:
		case 0x64:
		case 0x65:
			continue; /* segment overrides: the GPA is known */
		case 0xf0:
		case 0xf2:
		case 0xf3:
		case 0x67:
			return false; /* lock, rep, address size: refused */
		}
		if ((*op & 0xf0) == 0x40) {
			d->rex = *op;
			if (!next_byte(d, op))
				return false;
		}
		return true;
	}
}

static bool decode_opcode(struct decoder *d, const struct x86_gprs *g, u8 op,
			  struct x86_mmio_access *acc)
{
	unsigned int reg;
	bool ok = true;
	u8 op2;

	acc->sign_extend = false;
	switch (op) {
	case 0x88: /* mov r/m8, r8 */
	case 0x89: /* mov r/m, r */
		acc->size = op == 0x88 ? 1 : operand_size(d);
		if (!parse_modrm(d, &reg))
			return false;
		acc->is_write = true;
		acc->value = read_reg(g, d, reg, acc->size);
		return true;
	case 0x8a: /* mov r8, r/m8 */
	case 0x8b: /* mov r, r/m */
		acc->size = op == 0x8a ? 1 : operand_size(d);
		acc->dest_size = acc->size;
		acc->is_write = false;
		if (!parse_modrm(d, &acc->reg))
			return false;
		acc->rex = d->rex;
		return true;
	case 0xc6: /* mov r/m8, imm8 */
	case 0xc7: /* mov r/m, imm16/32 */
		acc->size = op == 0xc6 ? 1 : operand_size(d);
		if (!parse_modrm(d, &reg) || (reg & 7) != 0)
			return false;
		acc->is_write = true;
		acc->value = read_imm(d, acc->size, &ok);
		if (acc->size < 8)
			acc->value &= (1ULL << (acc->size * 8)) - 1;
		return ok;
	case 0x0f: /* movzx / movsx */
		if (!next_byte(d, &op2))
			return false;
		if (op2 != 0xb6 && op2 != 0xb7 && op2 != 0xbe && op2 != 0xbf)
			return false;
		acc->size = (op2 & 1) ? 2 : 1;
		acc->dest_size = operand_size(d);
		acc->sign_extend = op2 >= 0xbe;
		acc->is_write = false;
		if (!parse_modrm(d, &acc->reg))
			return false;
		acc->rex = d->rex;
		return true;
	default:
		return false;
	}
}

bool x86_decode_insn(const u8 *bytes, unsigned int avail,
		     const struct x86_gprs *gprs, struct x86_mmio_access *acc)
{
	struct decoder d = { bytes, bytes + avail, 0, false };
	u8 op;

	if (!skip_prefixes(&d, &op) || !decode_opcode(&d, gprs, op, acc))
		return false;
	acc->inst_len = (unsigned int)(d.p - bytes);
	return true;
}

void x86_mmio_complete_read(const struct x86_gprs *g,
			    const struct x86_mmio_access *acc, u64 value)
{
	unsigned int bits = acc->size * 8;
	u64 *dst;

	if (bits < 64) {
		value &= (1ULL << bits) - 1;
		if (acc->sign_extend && (value >> (bits - 1)) & 1)
			value |= ~0ULL << bits;
	}
	if (acc->dest_size == 1 && !acc->rex && acc->reg >= 4 && acc->reg < 8) {
		dst = g->reg[acc->reg - 4];
		*dst = (*dst & ~0xff00ULL) | (value & 0xff) << 8;
		return;
	}
	dst = g->reg[acc->reg];
	switch (acc->dest_size) {
	case 1:
		*dst = (*dst & ~0xffULL) | (value & 0xff);
		break;
	case 2:
		*dst = (*dst & ~0xffffULL) | (value & 0xffff);
		break;
	case 4: /* 32-bit results clear the upper half, as on hardware */
		*dst = value & 0xffffffff;
		break;
	default:
		*dst = value;
	}
}

enum x86_repeat x86_fault_repeat(struct x86_fault_repeat *r, u64 rip, u64 gpa,
				 u64 exits)
{
	/* Exits only grow; another instruction or address starts afresh. */
	if (r->count && r->rip == rip && r->gpa == gpa &&
	    exits - r->exits <= X86_REPEAT_WINDOW) {
		r->count++;
	} else {
		r->rip = rip;
		r->gpa = gpa;
		r->count = 1;
	}
	r->exits = exits;
	if (r->count == 1)
		return X86_REPEAT_REPORT;
	if (r->count < X86_REPEAT_LIMIT)
		return X86_REPEAT_QUIET;
	/* The caller stops the CPU; whatever it runs next is a new series. */
	r->count = 0;
	return X86_REPEAT_STOP;
}
