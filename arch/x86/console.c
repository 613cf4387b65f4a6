// SPDX-License-Identifier: GPL-2.0
/*
 * x86 console output: the emulators' debug port 0xE9 (a write-only byte
 * port, nothing to set up) and 16550-compatible UARTs, in port space or
 * memory-mapped with 32-bit registers. The UART is driven by polling the
 * line status register: the hypervisor never takes interrupts.
 */
#include <hv/arch.h>
#include <hv/setup.h>
#include <arch/x86.h>

#define UART_THR 0 /* transmit holding register */
#define UART_LSR 5 /* line status register */
#define UART_LSR_THRE 0x20 /* THR empty: may write the next byte */
#define UART_SPIN_LIMIT 100000 /* give up on a dead UART, do not hang */

static u8 uart_read(const struct brig_console *con, unsigned int reg)
{
	if (con->type == BRIG_CON_MMIO_8250)
		return (u8) *
		       (volatile u32 *)phys_to_hv(con->address + reg * 4);
	return inb((u16)(con->address + reg));
}

static void uart_write(const struct brig_console *con, unsigned int reg, u8 v)
{
	if (con->type == BRIG_CON_MMIO_8250)
		*(volatile u32 *)phys_to_hv(con->address + reg * 4) = v;
	else
		outb((u16)(con->address + reg), v);
}

static void uart_putc(const struct brig_console *con, char c)
{
	for (unsigned int n = 0; n < UART_SPIN_LIMIT; n++)
		if (uart_read(con, UART_LSR) & UART_LSR_THRE)
			break;
	uart_write(con, UART_THR, (u8)c);
}

void arch_console_write(const struct brig_console *con, const char *s,
			size_t len)
{
	for (size_t n = 0; n < len; n++) {
		switch (con->type) {
		case BRIG_CON_PIO_E9:
			outb((u16)con->address, (u8)s[n]);
			break;
		case BRIG_CON_PIO_8250:
		case BRIG_CON_MMIO_8250:
			if (s[n] == '\n')
				uart_putc(con, '\r');
			uart_putc(con, s[n]);
			break;
		default:
			return;
		}
	}
}
