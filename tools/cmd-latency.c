// SPDX-License-Identifier: GPL-2.0
/*
 * brig latency watch: a cell's timer-latency histogram, read live from
 * the ivshmem channel it publishes it on (brig/latency.h), through the
 * root's UIO device for that channel (brig_ivshmem.ko). The publisher
 * rings no doorbell: reading costs it nothing, not even a VM exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include <brig/latency.h>

#include "brig-tool.h"
#include "brig-uio.h"

#define MAP_INPUT 3 /* every peer's output section (brig_ivshmem.ko) */

/* The device went away under us: its mapping was revoked. */
static void on_sigbus(int sig)
{
	static const char msg[] =
		"brig: latency watch: the channel's device went away (its mapping was revoked)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(BRIG_EXIT_FAILED);
	_exit(BRIG_EXIT_FAILED);
}

int latency_snapshot(const struct latency_source *s, unsigned int p,
		     struct brig_latency_hist *h)
{
	const volatile struct brig_latency_hist *src =
		(const volatile void *)(s->inputs + p * s->out_size);

	for (int tries = 0; tries < 100; tries++) {
		__u32 seq = src->seq;

		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		memcpy(h, (const void *)src, sizeof(*h));
		__atomic_thread_fence(__ATOMIC_ACQUIRE);
		if (!(seq & 1) && src->seq == seq)
			return h->magic == BRIG_LATENCY_MAGIC &&
			       h->version == BRIG_LATENCY_VERSION;
		usleep(1000);
	}
	return 0;
}

/* Maps uio's input sections; finds a peer publishing a histogram. */
static int open_source(const char *uio, struct latency_source *s)
{
	char dev[32];
	long long size = brig_uio_value(uio, "maps/map3/size");
	long long out = brig_uio_value(uio, "maps/map4/size");
	struct brig_latency_hist h;
	void *p;
	int fd;

	if (size <= 0 || out < (long long)sizeof(h) || size % out)
		return 0;
	snprintf(dev, sizeof(dev), "/dev/%s", uio);
	fd = open(dev, O_RDONLY);
	if (fd < 0)
		return 0;
	p = mmap(NULL, (size_t)size, PROT_READ, MAP_SHARED, fd,
		 MAP_INPUT * getpagesize());
	close(fd);
	if (p == MAP_FAILED)
		return 0;
	snprintf(s->uio, sizeof(s->uio), "%s", uio);
	s->inputs = p;
	s->size = (size_t)size;
	s->out_size = (unsigned long long)out;
	for (s->peer = 0; s->peer < size / out; s->peer++)
		if (latency_snapshot(s, s->peer, &h))
			return 1;
	munmap(p, (size_t)size);
	return 0;
}

static void print_text(const struct latency_source *s,
		       const struct brig_latency_hist *h, __u64 before)
{
	int o99, o999;
	long long p99 = latency_quantile(h, 0.99, &o99);
	long long p999 = latency_quantile(h, 0.999, &o999);

	/* A restarted cell starts counting again. */
	__u64 fresh = h->samples >= before ? h->samples - before : h->samples;

	if (!h->samples) {
		printf("%s peer %u: no samples yet\n", s->uio, s->peer);
		return;
	}
	printf("%s peer %u: samples %llu (+%llu), min %lld, avg %lld, p99 %s%lld, p99.9 %s%lld, max %lld ns, missed %llu (the cell's clock: emulated time on an emulator)\n",
	       s->uio, s->peer, (unsigned long long)h->samples,
	       (unsigned long long)fresh, (long long)h->min_ns,
	       h->samples ? (long long)(h->sum_ns / (__s64)h->samples) : 0,
	       o99 ? "" : "< ", p99, o999 ? "" : "< ", p999,
	       (long long)h->max_ns, (unsigned long long)h->missed);
}

static void print_json(const struct latency_source *s,
		       const struct brig_latency_hist *h)
{
	int o;

	printf("{\"device\": \"%s\", \"peer\": %u, \"period_ns\": %llu, \"samples\": %llu, \"missed\": %llu, \"min_ns\": %lld, \"avg_ns\": %lld, \"p99_below_ns\": %lld, \"p999_below_ns\": %lld, \"max_ns\": %lld, \"buckets\": [",
	       s->uio, s->peer, (unsigned long long)h->period_ns,
	       (unsigned long long)h->samples, (unsigned long long)h->missed,
	       (long long)h->min_ns,
	       h->samples ? (long long)(h->sum_ns / (__s64)h->samples) : 0,
	       latency_quantile(h, 0.99, &o), latency_quantile(h, 0.999, &o),
	       (long long)h->max_ns);
	for (unsigned int b = 0, first = 1; b < BRIG_LATENCY_BUCKETS; b++) {
		if (!h->count[b])
			continue;
		printf("%s{\"below_ns\": %lld, \"count\": %llu}",
		       first ? "" : ", ",
		       (long long)brig_latency_bucket_limit(b),
		       (unsigned long long)h->count[b]);
		first = 0;
	}
	printf("]}\n");
}

static int parse_count(const char *opt, const char *arg, long *v, long max)
{
	char *end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	if (errno || *end || !*arg || *v < 1 || *v > max)
		return usage_error("%s %s: not a number from 1 to %ld", opt,
				   arg, max);
	return 0;
}

static int cmd_watch(int argc, char **argv)
{
	const char *device = NULL;
	long count = 1, interval = 1000;
	int json = 0, found = 0;
	struct latency_source s;
	struct brig_latency_hist h;
	__u64 before = 0;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "-d") && i + 1 < argc)
			device = argv[++i];
		else if (!strcmp(argv[i], "-n") && i + 1 < argc) {
			if (parse_count("-n", argv[++i], &count, 1000000))
				return BRIG_EXIT_USAGE;
		} else if (!strcmp(argv[i], "-i") && i + 1 < argc) {
			if (parse_count("-i", argv[++i], &interval, 3600000))
				return BRIG_EXIT_USAGE;
		} else
			return bad_argument(argv[i]);
	}
	if (device) {
		const char *base = strrchr(device, '/');

		base = base ? base + 1 : device;
		found = brig_uio_is_ivshmem(base) && open_source(base, &s);
		if (!found) {
			fprintf(stderr,
				"brig: latency watch: %s is no brig-ivshmem UIO device with a latency histogram in it\n",
				device);
			return BRIG_EXIT_FAILED;
		}
	}
	for (int n = 0; n < 64 && !found; n++) {
		char uio[16];

		snprintf(uio, sizeof(uio), "uio%d", n);
		found = brig_uio_is_ivshmem(uio) && open_source(uio, &s);
	}
	if (!found) {
		fprintf(stderr,
			"brig: latency watch: no channel carries a latency histogram (a cell running the latency inmate with channel=1, brig_ivshmem.ko loaded)\n");
		return BRIG_EXIT_FAILED;
	}
	signal(SIGBUS, on_sigbus);
	for (long n = 0; n < count; n++) {
		if (n) {
			struct timespec t = { interval / 1000,
					      (interval % 1000) * 1000000 };

			nanosleep(&t, NULL);
		}
		if (!latency_snapshot(&s, s.peer, &h)) {
			fprintf(stderr,
				"brig: latency watch: the histogram in %s went away\n",
				s.uio);
			return BRIG_EXIT_FAILED;
		}
		if (json)
			print_json(&s, &h);
		else
			print_text(&s, &h, before);
		fflush(stdout);
		before = h.samples;
	}
	munmap((void *)s.inputs, s.size);
	return BRIG_EXIT_OK;
}

static const struct command latency_watch_command = {
	.name = "watch",
	.run = cmd_watch,
	.usage =
		"  brig latency watch [-d /dev/uioN] [-n COUNT] [-i MS] [--json]\n"
		"        read a cell's timer-latency histogram live from its ivshmem\n"
		"        channel, COUNT times (default 1), every MS milliseconds\n"
		"        (default 1000)\n",
	.value_opts = (const char *const[]){ "-d", "-n", "-i", NULL },
};

const struct command latency_command = {
	.name = "latency",
	.sub = (const struct command *const[]){ &latency_run_command,
						&latency_watch_command, NULL },
};
