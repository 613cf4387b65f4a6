// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * IO-APIC pins for inmates.
 *
 * The IO-APIC (Intel 82093AA datasheet; ICH9 datasheet, 13.5) is reached
 * through two registers: write a register number to the select register
 * at offset 0x00, then read or write it through the window at 0x10.
 * Register 1 is the version (bits 23:16: the number of the last
 * redirection entry); entry n is registers 0x10 + 2n (low dword: vector,
 * delivery mode, destination mode, polarity, trigger, mask) and
 * 0x11 + 2n (destination APIC id in bits 31:24).
 *
 * Under brig a cell's accesses trap and are emulated: the entry it writes
 * is checked (fixed or lowest priority, to one of its own CPUs) and the
 * real entry points at an interrupt remapping entry made from it.
 */
#include <inmate.h>

#define IOREGSEL 0x00
#define IOWIN 0x10
#define REG_VER 0x01
#define REG_RTE 0x10

#define RTE_LOW (1u << 13)
#define RTE_LEVEL (1u << 15)
#define RTE_MASKED (1u << 16)

static __u64 ioapic_base = IOAPIC_DEFAULT_BASE;

static __u32 ioapic_read(__u32 reg)
{
	mmio_write32(ioapic_base + IOREGSEL, reg);
	return mmio_read32(ioapic_base + IOWIN);
}

static void ioapic_write(__u32 reg, __u32 value)
{
	mmio_write32(ioapic_base + IOREGSEL, reg);
	mmio_write32(ioapic_base + IOWIN, value);
}

void ioapic_init(__u64 base)
{
	ioapic_base = base;
}

unsigned int ioapic_pins(void)
{
	return ((ioapic_read(REG_VER) >> 16) & 0xff) + 1;
}

__u64 ioapic_read_entry(unsigned int pin)
{
	return ioapic_read(REG_RTE + 2 * pin) |
	       (__u64)ioapic_read(REG_RTE + 2 * pin + 1) << 32;
}

void ioapic_mask(unsigned int pin)
{
	ioapic_write(REG_RTE + 2 * pin,
		     ioapic_read(REG_RTE + 2 * pin) | RTE_MASKED);
}

int ioapic_route(unsigned int pin, unsigned int vector, __u32 dest,
		 unsigned int flags)
{
	__u32 lo = vector;

	if (pin > 255 || vector < 32 || vector > 254 || dest > 255)
		return -1;
	if (flags & IOAPIC_LEVEL)
		lo |= RTE_LEVEL;
	if (flags & IOAPIC_ACTIVE_LOW)
		lo |= RTE_LOW;
	/* Masked while the destination changes; unmasked last. */
	ioapic_write(REG_RTE + 2 * pin, lo | RTE_MASKED);
	ioapic_write(REG_RTE + 2 * pin + 1, dest << 24);
	ioapic_write(REG_RTE + 2 * pin, lo);
	return 0;
}
