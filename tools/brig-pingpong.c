// SPDX-License-Identifier: GPL-2.0
/*
 * brig-pingpong: the root's side of the ivshmem ping-pong demo
 * (brig/ivshmem-demo.h), through the stock UIO interface that
 * brig_ivshmem.ko gives each of the root's ivshmem devices: open
 * /dev/uioN, mmap its maps, read() for doorbells. As peer 0 it sends
 * count messages, each answered before the next, and checks every
 * answer; as peer 1 it answers. It prints round trips per second
 * (wall-clock time of this machine: emulated time on an emulator).
 *
 *   brig-pingpong [-d /dev/uioN] [-n count] [-s size] [-h seconds]
 *   brig-pingpong [-d /dev/uioN] -r
 *
 * -r only checks the driver's rights: the read-only maps (1 and 3) must
 * refuse a writable mapping, and every map a private one.
 *
 * -h holds the mappings that long afterwards, waiting for doorbells,
 * so that a test can take the device away under it: a revoked mapping
 * faults (SIGBUS), a read of a device that went fails (EIO); both are
 * said and end the program with status 3.
 *
 * Maps (brig_ivshmem.ko): 0 registers, 1 state table, 2 common section,
 * 3 every peer's output section, 4 this peer's output section.
 *
 * A function Linux gave no MSI-X (brig_ivshmem.ko says so) has no
 * events: the program then polls the shared memory instead of reading.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <brig/ivshmem-demo.h>
#include <brig/ivshmem.h>

#include "brig-uio.h"

#define SENDER 0
#define ANSWERER 1
#define READY BRIG_IVSHMEM_DEMO_STATE_READY
#define MSG_VECTOR BRIG_IVSHMEM_DEMO_VECTOR_MSG
#define EXIT_GONE 3

struct dev {
	int fd;
	char name[32]; /* uioN */
	volatile uint32_t *regs;
	volatile uint32_t *state;
	volatile uint8_t *inputs; /* every peer's output section */
	volatile uint8_t *output; /* ours */
	uint64_t out_size;
	unsigned int id, peers;
	int polling; /* the function has no interrupts: poll the memory */
};

static struct dev dev;
static uint32_t count = 10000, size = 64, max_len;
static unsigned int errors, reported;

static void fail(const char *fmt, const char *arg)
{
	fprintf(stderr, "brig-pingpong: ");
	fprintf(stderr, fmt, arg);
	fputc('\n', stderr);
	exit(1);
}

static void on_sigbus(int sig)
{
	static const char msg[] =
		"brig-pingpong: the device went away: its mapping was revoked (SIGBUS)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(EXIT_GONE);
	_exit(EXIT_GONE);
}

/* The first brig-ivshmem device when none is given. */
static void find_device(char *path, size_t len)
{
	char uio[16];

	for (int n = 0; n < 64; n++) {
		snprintf(uio, sizeof(uio), "uio%d", n);
		if (brig_uio_is_ivshmem(uio)) {
			snprintf(path, len, "/dev/%s", uio);
			return;
		}
	}
	fail("%s",
	     "no brig-ivshmem UIO device: is brig enabled with a root ivshmem device, and brig_ivshmem.ko loaded?");
}

static void *map(int index, int prot)
{
	char what[32];
	long long bytes;
	void *p;

	snprintf(what, sizeof(what), "maps/map%d/size", index);
	bytes = brig_uio_value(dev.name, what);
	if (bytes <= 0)
		fail("map %s has no size in sysfs", what);
	p = mmap(NULL, (size_t)bytes, prot, MAP_SHARED, dev.fd,
		 (off_t)index * getpagesize());
	if (p == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	return p;
}

static void open_device(const char *path)
{
	const char *base = strrchr(path, '/');
	char what[96];

	snprintf(dev.name, sizeof(dev.name), "%s", base ? base + 1 : path);
	if (!brig_uio_is_ivshmem(dev.name))
		fail("%s is not a brig-ivshmem UIO device", path);
	dev.fd = open(path, O_RDWR);
	if (dev.fd < 0)
		fail("cannot open the device: %s", strerror(errno));
	dev.regs = map(0, PROT_READ | PROT_WRITE);
	dev.state = map(1, PROT_READ);
	dev.inputs = map(3, PROT_READ);
	dev.output = map(4, PROT_READ | PROT_WRITE);
	dev.out_size = (uint64_t)brig_uio_value(dev.name, "maps/map4/size");
	snprintf(what, sizeof(what), "/sys/class/uio/%s/device/msi_irqs",
		 dev.name);
	dev.polling = access(what, F_OK) != 0;
	dev.id = dev.regs[BRIG_IVSHMEM_REG_ID / 4];
	dev.peers = dev.regs[BRIG_IVSHMEM_REG_MAX_PEERS / 4];
	if (dev.id > ANSWERER || dev.out_size < 2 * 16)
		fail("%s",
		     "this device's peer id or output section does not fit the demo");
	max_len =
		(uint32_t)(dev.out_size - sizeof(struct brig_ivshmem_demo_msg));
	if (size > max_len)
		size = max_len;
}

static void gone(void)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/class/uio/%s", dev.name);
	if (access(path, F_OK) == 0)
		return;
	fprintf(stderr, "brig-pingpong: the device went away\n");
	exit(EXIT_GONE);
}

/*
 * Blocks until a doorbell (any vector); the interrupt stays enabled.
 * Polling, it only yields the CPU (the caller looks again).
 */
static void wait_event(void)
{
	uint32_t events;
	ssize_t n;

	if (dev.polling) {
		sched_yield();
		return;
	}
	n = read(dev.fd, &events, sizeof(events));
	if (n == (ssize_t)sizeof(events))
		return;
	fprintf(stderr, "brig-pingpong: the device went away (read: %s)\n",
		n < 0 ? strerror(errno) : "short");
	exit(EXIT_GONE);
}

static void ring(unsigned int peer)
{
	dev.regs[BRIG_IVSHMEM_REG_DOORBELL / 4] =
		BRIG_IVSHMEM_DOORBELL(peer, MSG_VECTOR);
}

static volatile struct brig_ivshmem_demo_msg *section(unsigned int peer)
{
	return (volatile void *)(dev.inputs + peer * dev.out_size);
}

static volatile struct brig_ivshmem_demo_msg *out_msg(void)
{
	return (volatile void *)dev.output;
}

static void mismatch(uint32_t seq, const char *what, unsigned int a,
		     unsigned int b)
{
	if (reported++ < 5)
		fprintf(stderr,
			"brig-pingpong: seq %u %s: expected %#x, got %#x\n",
			seq, what, a, b);
}

/* Checks message seq from peer `from` (as in the inmate); its length. */
static uint32_t check(unsigned int from, uint32_t seq)
{
	volatile struct brig_ivshmem_demo_msg *in = section(from);
	volatile uint8_t *payload = (volatile uint8_t *)(in + 1);
	volatile uint8_t *mine = (volatile uint8_t *)(out_msg() + 1);
	struct brig_ivshmem_demo_stream s;
	uint32_t hash = BRIG_IVSHMEM_DEMO_FNV_INIT, len, i;
	int bad = 0;

	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	len = in->len;
	if (dev.id == SENDER ? len != size : len > max_len) {
		mismatch(seq, "length", size, len);
		bad = 1;
		len = len > max_len ? max_len : len;
	}
	brig_ivshmem_demo_stream_init(&s, seq);
	for (i = 0; i < len; i++) {
		uint8_t want = brig_ivshmem_demo_stream_byte(&s),
			got = payload[i];

		if (dev.id == SENDER)
			want = BRIG_IVSHMEM_DEMO_REPLY(want);
		else
			mine[i] = BRIG_IVSHMEM_DEMO_REPLY(got);
		if (got != want && !bad) {
			mismatch(seq, "payload byte", want, got);
			bad = 1;
		}
		hash = brig_ivshmem_demo_fnv(hash, got);
	}
	if (hash != in->checksum) {
		mismatch(seq, "checksum", in->checksum, hash);
		bad = 1;
	}
	errors += bad;
	return len;
}

static void publish(uint32_t seq, uint32_t len, uint32_t last, unsigned int to)
{
	volatile struct brig_ivshmem_demo_msg *out = out_msg();
	volatile uint8_t *payload = (volatile uint8_t *)(out + 1);
	uint32_t hash = BRIG_IVSHMEM_DEMO_FNV_INIT;

	for (uint32_t i = 0; i < len; i++)
		hash = brig_ivshmem_demo_fnv(hash, payload[i]);
	out->len = len;
	out->checksum = hash;
	out->last = last;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	out->seq = seq;
	ring(to);
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void send_all(void)
{
	volatile struct brig_ivshmem_demo_msg *in = section(ANSWERER);
	volatile uint8_t *payload = (volatile uint8_t *)(out_msg() + 1);
	uint32_t base = out_msg()->seq > in->seq ? out_msg()->seq : in->seq;
	uint32_t seq = base + 1, last = seq + count - 1, done = 0;
	double start;

	printf("brig-pingpong: peer 0 of %u on %s; waiting for peer 1%s\n",
	       dev.peers, dev.name,
	       dev.polling ? " (no interrupts: polling)" : "");
	fflush(stdout);
	while (dev.state[ANSWERER] != READY)
		wait_event();
	start = now();
	for (; done < count; seq++) {
		struct brig_ivshmem_demo_stream s;

		brig_ivshmem_demo_stream_init(&s, seq);
		for (uint32_t i = 0; i < size; i++)
			payload[i] = brig_ivshmem_demo_stream_byte(&s);
		publish(seq, size, last, ANSWERER);
		while (in->seq != seq && dev.state[ANSWERER] == READY)
			wait_event();
		if (in->seq != seq)
			break;
		check(ANSWERER, seq);
		done++;
	}
	if (done < count)
		printf("brig-pingpong: stopped after %u of %u round trips: peer 1 left\n",
		       done, count);
	printf("brig-pingpong: %u round trips, every payload checked, %u errors\n",
	       done, errors);
	printf("brig-pingpong: %.0f round trips per second (this machine's clock)\n",
	       done / (now() - start));
}

static void answer_all(void)
{
	/*
	 * What the sender's section holds now is left from an earlier run
	 * (the channel's memory outlives its users while the root is a
	 * peer): not a message. Read before this side says READY, which the
	 * sender waits for before its first message.
	 */
	uint32_t answered = section(SENDER)->seq, done = 0;

	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	dev.regs[BRIG_IVSHMEM_REG_STATE / 4] = READY;

	printf("brig-pingpong: peer 1 of %u on %s; answering\n", dev.peers,
	       dev.name);
	fflush(stdout);
	for (;;) {
		volatile struct brig_ivshmem_demo_msg *in = section(SENDER);
		uint32_t seq = in->seq, len;

		if (!seq || seq == answered) {
			wait_event();
			continue;
		}
		len = check(SENDER, seq);
		publish(seq, len, in->last, SENDER);
		answered = seq;
		if (++done == count || seq == in->last)
			break;
	}
	printf("brig-pingpong: answered %u messages, every payload checked, %u errors\n",
	       done, errors);
}

static int refused(const char *what, int map, int prot, int flags)
{
	void *p = mmap(NULL, (size_t)getpagesize(), prot, flags, dev.fd,
		       (off_t)map * getpagesize());

	printf("brig-pingpong: %s mapping of map %d: %s\n", what, map,
	       p == MAP_FAILED ? strerror(errno) : "allowed");
	return p == MAP_FAILED;
}

static int probe_rights(void)
{
	int ok = refused("writable", 1, PROT_READ | PROT_WRITE, MAP_SHARED);

	ok &= refused("writable", 3, PROT_READ | PROT_WRITE, MAP_SHARED);
	ok &= refused("private", 4, PROT_READ, MAP_PRIVATE);
	return ok ? 0 : 1;
}

static unsigned long number(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || *end || !*s)
		fail("%s is not a number", what);
	return v;
}

int main(int argc, char **argv)
{
	char path[64] = "";
	unsigned long hold = 0;
	int opt, rights = 0;

	while ((opt = getopt(argc, argv, "d:n:s:h:r")) != -1) {
		switch (opt) {
		case 'r':
			rights = 1;
			break;
		case 'd':
			snprintf(path, sizeof(path), "%s", optarg);
			break;
		case 'n':
			count = (uint32_t)number(optarg, "-n");
			break;
		case 's':
			size = (uint32_t)number(optarg, "-s");
			break;
		case 'h':
			hold = number(optarg, "-h");
			break;
		default:
			fprintf(stderr,
				"usage: brig-pingpong [-d /dev/uioN] [-n count] [-s size] [-h seconds] | -r\n");
			return 2;
		}
	}
	if (optind != argc)
		fail("unexpected argument %s", argv[optind]);
	signal(SIGBUS, on_sigbus);
	if (!path[0])
		find_device(path, sizeof(path));
	open_device(path);
	if (rights)
		return probe_rights();
	if (dev.id == SENDER) {
		dev.regs[BRIG_IVSHMEM_REG_STATE / 4] = READY;
		send_all();
	} else {
		answer_all();
	}
	fflush(stdout);
	for (time_t end = time(NULL) + (time_t)hold; time(NULL) < end;) {
		struct pollfd p = { .fd = dev.fd, .events = POLLIN };

		/* Touch the sections, as a user still at work would. */
		(void)dev.state[0];
		(void)out_msg()->seq;
		if (dev.polling) {
			usleep(100000);
			gone();
			continue;
		}
		if (poll(&p, 1, 100) > 0)
			wait_event();
	}
	return errors ? 1 : 0;
}
