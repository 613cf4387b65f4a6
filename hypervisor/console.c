// SPDX-License-Identifier: GPL-2.0
/*
 * The hypervisor console: printk(), the ring the root cell reads, and
 * panic().
 *
 * Output goes to the device the system description names once setup has
 * read it; before that, to the early console chosen at build time
 * (CONFIG_DEBUG_CONSOLE_EARLY: port 0xE9). Each message is also appended to
 * a ring of CONSOLE_RING_SIZE bytes indexed by a running byte count, so a
 * reader that fell behind learns how much it missed instead of reading
 * garbage.
 */
#include <hv/arch.h>
#include <hv/panic.h>
#include <hv/printk.h>
#include <hv/spinlock.h>
#include <brig/header.h>

static const struct brig_console early_console = {
#ifdef CONFIG_DEBUG_CONSOLE_EARLY
	.type = BRIG_CON_PIO_E9,
	.address = 0xe9,
#else
	.type = BRIG_CON_NONE,
#endif
};

/* Where output goes; switched once the system description is read. */
static const struct brig_console *console = &early_console;

static DEFINE_SPINLOCK(console_lock);
/* guarded by console_lock; the driver reads it after a failed enable */
struct brig_hv_console hv_console;
#define ring hv_console.ring
#define ring_head hv_console.head

void console_set_device(const struct brig_console *con)
{
	spin_lock(&console_lock);
	console = con;
	spin_unlock(&console_lock);
}

static void ring_append(const char *s, size_t len)
{
	for (size_t n = 0; n < len; n++)
		ring[(ring_head + n) % CONSOLE_RING_SIZE] = s[n];
	ring_head += len;
}

static void console_emit(const char *s, size_t len)
{
	spin_lock(&console_lock);
	ring_append(s, len);
	if (console->type != BRIG_CON_NONE)
		arch_console_write(console, s, len);
	spin_unlock(&console_lock);
}

void printk(const char *fmt, ...)
{
	char buf[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(buf))
		n = sizeof(buf) - 1;
	console_emit(buf, (size_t)n);
}

size_t console_read(u64 *seq, char *buf, size_t size)
{
	size_t n = 0;
	u64 oldest;

	spin_lock(&console_lock);
	oldest = ring_head > CONSOLE_RING_SIZE ? ring_head - CONSOLE_RING_SIZE :
						 0;
	if (*seq < oldest)
		*seq = oldest;
	for (; n < size && *seq < ring_head; n++, (*seq)++)
		buf[n] = ring[*seq % CONSOLE_RING_SIZE];
	spin_unlock(&console_lock);
	return n;
}

void panic(const char *fmt, ...)
{
	char buf[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printk("brig: PANIC on CPU %u: %s\nbrig: CPU %u stopped\n",
	       arch_cpu_id(), buf, arch_cpu_id());
	arch_cpu_stop();
}
