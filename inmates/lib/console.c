// SPDX-License-Identifier: (GPL-2.0 OR BSD-2-Clause)
/*
 * The inmate console: the device the comm region names, polled, never
 * interrupt driven.
 *
 * 8250/16550 UART registers (offsets from the base, one port each for
 * BRIG_CON_PIO_8250, one 32-bit word each for BRIG_CON_MMIO_8250):
 *   0 THR transmit holding (DLL, divisor low, while LCR.DLAB is set)
 *   1 IER interrupt enable (DLM, divisor high, while LCR.DLAB is set)
 *   2 FCR FIFO control
 *   3 LCR line control: bit 7 DLAB, bits 1:0 word length (3 = 8 bits)
 *   5 LSR line status: bit 5 THRE, the transmitter can take a byte
 *
 * Without a comm region the console is COM2 (0x2f8) at 115200 baud, where
 * brig's emulated boards expect a cell's output. With a comm region
 * naming BRIG_CON_NONE, output goes through the DEBUG_CONSOLE_PUTC
 * hypercall (one VM exit per character).
 */
#include <inmate.h>

#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_FCR 2
#define UART_LCR 3
#define UART_LSR 5

#define LCR_DLAB 0x80
#define LCR_8N1 0x03
#define FCR_ENABLE_CLEAR 0x07 /* FIFO on, both FIFOs cleared */
#define LSR_THRE 0x20

#define FALLBACK_PORT 0x2f8
#define FALLBACK_DIVIDER 1 /* 115200 baud from the 1.8432 MHz clock */

static struct brig_console con;
static char description[40];

static __u8 uart_read(unsigned int reg)
{
	if (con.type == BRIG_CON_MMIO_8250)
		return (__u8)mmio_read32(con.address + reg * 4);
	return inb((__u16)(con.address + reg));
}

static void uart_write(unsigned int reg, __u8 value)
{
	if (con.type == BRIG_CON_MMIO_8250)
		mmio_write32(con.address + reg * 4, value);
	else
		outb((__u16)(con.address + reg), value);
}

/* Divider 0 means: the root cell's firmware or Linux set the baud rate. */
static void uart_init(void)
{
	if (!con.divider)
		return;
	uart_write(UART_LCR, LCR_DLAB);
	uart_write(UART_DLL, (__u8)con.divider);
	uart_write(UART_DLM, (__u8)(con.divider >> 8));
	uart_write(UART_LCR, LCR_8N1);
	uart_write(UART_IER, 0);
	uart_write(UART_FCR, FCR_ENABLE_CLEAR);
}

static void uart_putc(char c)
{
	while (!(uart_read(UART_LSR) & LSR_THRE))
		cpu_relax();
	uart_write(UART_THR, (__u8)c);
}

void console_init(void)
{
	volatile struct brig_comm_region *comm = comm_region();

	if (comm) {
		con.address = comm->console.address;
		con.type = comm->console.type;
		con.divider = comm->console.divider;
	} else {
		con.address = FALLBACK_PORT;
		con.type = BRIG_CON_PIO_8250;
		con.divider = FALLBACK_DIVIDER;
	}
	/* MMIO beyond the identity map (4 GiB) cannot be reached. */
	if (con.type == BRIG_CON_MMIO_8250 && con.address >= 0x100000000ULL)
		con.type = BRIG_CON_NONE;
	if (con.type == BRIG_CON_PIO_8250 || con.type == BRIG_CON_MMIO_8250)
		uart_init();
	snprintk(description, sizeof(description), "%s at 0x%llx",
		 con.type == BRIG_CON_PIO_8250	? "8250 (ports)" :
		 con.type == BRIG_CON_MMIO_8250 ? "8250 (MMIO)" :
		 con.type == BRIG_CON_PIO_E9	? "debug port" :
						  "hypercall",
		 con.address);
}

const char *console_describe(void)
{
	return description;
}

static void console_putc_raw(char c)
{
	switch (con.type) {
	case BRIG_CON_PIO_8250:
	case BRIG_CON_MMIO_8250:
		uart_putc(c);
		break;
	case BRIG_CON_PIO_E9:
		outb((__u16)con.address, (__u8)c);
		break;
	default:
		/* Only meaningful under brig: the hypercall #UDs on bare metal. */
		if (comm_region())
			hypercall(BRIG_HC_DEBUG_CONSOLE_PUTC, (__u8)c, 0);
	}
}

void console_putc(char c)
{
	if (c == '\n')
		console_putc_raw('\r');
	console_putc_raw(c);
}

void console_write(const char *s, size_t len)
{
	while (len--)
		console_putc(*s++);
}
