// SPDX-License-Identifier: GPL-2.0
/*
 * brig latency run: one latency measurement from start to files. It
 * checks a cell description that carries a latency channel (an ivshmem
 * device of protocol BRIG_LATENCY_PROTO whose other peer is the root),
 * starts an optional load in the root, creates the cell, loads the
 * latency inmate with the timer's parameters, starts it, reads the
 * histogram live from the inmate's output section (the inmate rings no
 * doorbell: reading costs it no exit), and at the end destroys the cell,
 * stops the load and writes the summary, JSON, CSV and SVG.
 *
 * The cell it created is destroyed on every way out once it exists: the
 * end of the run, the cell failing, an error, SIGINT, SIGTERM, SIGHUP and
 * the channel's device going away (SIGBUS). Only SIGKILL leaves it.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <brig/config.h>
#include <brig/ioctl.h>

#include "brig-tool.h"
#include "brig-uio.h"

#define MAP_STATE 1 /* UIO maps of brig_ivshmem.ko */
#define MAP_INPUT 3
#define FIRST_OUTPUT_MS 20000 /* the inmate's first histogram, at most */

struct run_opts {
	const char *desc, *inmate, *load, *out, *mode, *args;
	long period_us, duration_s, interval_ms;
	int json, quiet;
};

/* What exists so far, for the way out. */
struct run {
	struct run_opts o;
	struct config cfg;
	void *image; /* the inmate */
	size_t image_size;
	const struct brig_ivshmem *chan;
	char name[BRIG_CELL_NAME_LEN + 1];
	int id; /* > 0 once the cell exists */
	int out_fd; /* --out's directory */
	pid_t load_pid; /* > 0 while the load's leader runs */
	pid_t load_pgid; /* its process group, once started */
	struct latency_source src;
	const volatile __u32 *state; /* the channel's state table */
	size_t state_size;
	struct latency_result res;
};

static volatile sig_atomic_t stop_signal;
static sigjmp_buf bus_jump;
/* The channel's maps: a fault in them means the device went away. */
static const volatile void *maps[2];
static size_t map_sizes[2];

static void on_stop(int sig)
{
	stop_signal = sig;
}

static int in_maps(const void *addr)
{
	for (int m = 0; m < 2; m++)
		if (maps[m] && (const char *)addr >= (const char *)maps[m] &&
		    (const char *)addr < (const char *)maps[m] + map_sizes[m])
			return 1;
	return 0;
}

/*
 * A fault in the channel's maps (brig_ivshmem.ko revoked them): back to
 * the way out. A SIGBUS someone sent is a stop like SIGTERM; any other
 * fault is a bug here, and dies as it would without this handler.
 */
static void on_bus(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	if (info->si_code > 0 && in_maps(info->si_addr))
		siglongjmp(bus_jump, 1);
	if (info->si_code <= 0) {
		stop_signal = sig;
		return;
	}
	signal(SIGBUS, SIG_DFL);
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* Sleeps ms, or less if a stop signal arrives. */
static void nap(long ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };

	if (!stop_signal)
		nanosleep(&t, NULL);
}

/* --- the command line ----------------------------------------------------- */

static int number_opt(const char *opt, const char *arg, long *v, long lo,
		      long hi)
{
	char *end;

	errno = 0;
	*v = strtol(arg, &end, 10);
	if (errno || *end || !*arg || *v < lo || *v > hi)
		return usage_error("%s %s: not a number from %ld to %ld", opt,
				   arg, lo, hi);
	return 0;
}

static int known_mode(const char *m)
{
	return !strcmp(m, "auto") || !strcmp(m, "deadline") ||
	       !strcmp(m, "oneshot") || !strcmp(m, "periodic");
}

static const char *const value_opts[] = { "--period-us",   "--duration",
					  "--mode",	   "--load",
					  "--out",	   "--interval-ms",
					  "--inmate-args", NULL };

static int is_value_opt(const char *a)
{
	for (int i = 0; value_opts[i]; i++)
		if (!strcmp(a, value_opts[i]))
			return 1;
	return 0;
}

/* More of the inmate's command line: printable, bounded, no quotes. */
static int plain_args(const char *s)
{
	size_t n = strlen(s);

	if (n > 96)
		return 0;
	for (; *s; s++)
		if (*s < 0x20 || *s > 0x7e || *s == '"' || *s == '\\')
			return 0;
	return 1;
}

static int parse_opts(int argc, char **argv, struct run_opts *o)
{
	const char *pos[2] = { NULL, NULL };
	int npos = 0;

	*o = (struct run_opts){ .load = "none",
				.mode = "auto",
				.period_us = 1000,
				.duration_s = 10,
				.interval_ms = 1000 };
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--json"))
			o->json = 1;
		else if (!strcmp(a, "--quiet"))
			o->quiet = 1;
		else if (is_value_opt(a) && !v)
			return usage_error("%s needs a value", a);
		else if (!strcmp(a, "--period-us")) {
			if (number_opt(a, argv[++i], &o->period_us, 10,
				       1000000))
				return BRIG_EXIT_USAGE;
		} else if (!strcmp(a, "--duration")) {
			if (number_opt(a, argv[++i], &o->duration_s, 1, 86400))
				return BRIG_EXIT_USAGE;
		} else if (!strcmp(a, "--interval-ms")) {
			if (number_opt(a, argv[++i], &o->interval_ms, 10,
				       60000))
				return BRIG_EXIT_USAGE;
		} else if (!strcmp(a, "--mode")) {
			o->mode = argv[++i];
			if (!known_mode(o->mode))
				return usage_error(
					"--mode %s: not auto, deadline, oneshot or periodic",
					o->mode);
		} else if (!strcmp(a, "--inmate-args")) {
			o->args = argv[++i];
			if (!plain_args(o->args))
				return usage_error(
					"--inmate-args: at most 96 printable characters, words of KEY=VALUE");
		} else if (!strcmp(a, "--load"))
			o->load = argv[++i];
		else if (!strcmp(a, "--out"))
			o->out = argv[++i];
		else if ((a[0] == '-' && a[1]) || npos == 2)
			return bad_argument(a);
		else
			pos[npos++] = a;
	}
	if (npos < 1)
		return usage_error("missing CELL-DESCRIPTION");
	if (npos < 2)
		return usage_error(
			"missing INMATE, the latency inmate's image");
	o->desc = pos[0];
	o->inmate = pos[1];
	return 0;
}

/* --- the load ------------------------------------------------------------- */

/* Whether prog is an executable in $PATH. */
static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];

	for (const char *p = path ? path : "/usr/bin:/bin"; *p;) {
		size_t n = strcspn(p, ":");

		snprintf(buf, sizeof(buf), "%.*s/%s", (int)n, p, prog);
		if (n && access(buf, X_OK) == 0)
			return 1;
		p += n + (p[n] == ':');
	}
	return 0;
}

/*
 * Whether the output of stress-ng's listing cmd (after the first ':' if
 * colon) has the word name: `--stressors` lists stressors, a class it
 * does not know makes it list the classes.
 */
static int stress_ng_lists(const char *cmd, int colon, const char *name)
{
	char list[8192] = "", *p;
	size_t n, len = strlen(name);
	FILE *f = popen(cmd, "r");

	if (!f)
		return 0;
	n = fread(list, 1, sizeof(list) - 1, f);
	list[n] = 0;
	pclose(f);
	p = colon ? strrchr(list, ':') : list;
	for (p = p ? p : list; (p = strstr(p, name)); p += len)
		if ((p == list || strchr(" :\n", p[-1])) &&
		    strchr(" \n", p[len]))
			return 1;
	return 0;
}

/* The loads --load names, for the message about an unknown one. */
#define LOADS                                                                  \
	"none, hackbench, stress-ng:STRESSOR (e.g. stress-ng:cpu) or "         \
	"stress-ng-class:CLASS (e.g. stress-ng-class:cpu)"

struct load_cmd {
	char *argv[10];
	char opt[80], timeout[24];
};

/* NAME of "PREFIXNAME": a stress-ng word, or NULL. */
static const char *stress_ng_word(const char *load, const char *prefix)
{
	const char *name = load + strlen(prefix);
	size_t n = strlen(name);

	if (strncmp(load, prefix, strlen(prefix)) || !n || n > 48 ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return NULL;
	return name;
}

/*
 * The load's command line in c, or -1 (said why). hackbench: Debian's
 * rt-tests, 4 groups of 20 senders and 20 receivers over sockets, as many
 * loops as it takes (it is stopped at the end). stress-ng:NAME: one
 * worker of stressor NAME per online CPU; stress-ng-class:CLASS: one
 * worker of every stressor of the class, all at once. stress-ng is
 * stopped at the end too; its own timeout is a safety net should this
 * tool be killed.
 */
static int load_argv(const struct run_opts *o, struct load_cmd *c)
{
	const char *stressor = stress_ng_word(o->load, "stress-ng:");
	const char *class = stress_ng_word(o->load, "stress-ng-class:");
	char **a = c->argv;

	if (!strcmp(o->load, "hackbench")) {
		if (!in_path("hackbench")) {
			fprintf(stderr,
				"brig: latency run: --load hackbench: hackbench is not installed (Debian's rt-tests package)\n");
			return -1;
		}
		*a++ = "hackbench";
		*a++ = "-g";
		*a++ = "4";
		*a++ = "-l";
		*a++ = "100000000";
		*a = NULL;
		return 0;
	}
	if (!stressor && !class) {
		fprintf(stderr,
			"brig: latency run: unknown load \"%s\": " LOADS "\n",
			o->load);
		return -1;
	}
	if (!in_path("stress-ng")) {
		fprintf(stderr,
			"brig: latency run: --load %s: stress-ng is not installed (Debian's stress-ng package)\n",
			o->load);
		return -1;
	}
	if (stressor && !stress_ng_lists("stress-ng --stressors 2>/dev/null", 0,
					 stressor)) {
		fprintf(stderr,
			"brig: latency run: unknown load \"%s\": stress-ng has no stressor \"%s\" (stress-ng --stressors lists them)\n",
			o->load, stressor);
		return -1;
	}
	if (class && !stress_ng_lists("stress-ng --class '?' 2>&1", 1, class)) {
		fprintf(stderr,
			"brig: latency run: unknown load \"%s\": stress-ng has no class \"%s\" (stress-ng --class '?' lists them)\n",
			o->load, class);
		return -1;
	}
	snprintf(c->timeout, sizeof(c->timeout), "%lds", o->duration_s + 120);
	*a++ = "stress-ng";
	if (stressor) {
		snprintf(c->opt, sizeof(c->opt), "--%s", stressor);
		*a++ = c->opt;
		*a++ = "0";
	} else {
		snprintf(c->opt, sizeof(c->opt), "%s", class);
		*a++ = "--class";
		*a++ = c->opt;
		*a++ = "--all";
		*a++ = "1";
	}
	*a++ = "--timeout";
	*a++ = c->timeout;
	*a++ = "--quiet";
	*a = NULL;
	return 0;
}

/* Starts the load in a process group of its own; its output discarded. */
static int start_load(struct run *r, char **argv)
{
	pid_t pid = fork();

	if (pid < 0) {
		fprintf(stderr,
			"brig: latency run: cannot start the load: %s\n",
			strerror(errno));
		return -1;
	}
	if (!pid) {
		int null = open("/dev/null", O_RDWR);

		setpgid(0, 0);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (null >= 0) {
			dup2(null, STDIN_FILENO);
			dup2(null, STDOUT_FILENO);
		}
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "brig: latency run: cannot run %s: %s\n",
			argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);
	r->load_pid = r->load_pgid = pid;
	return 0;
}

/* Whether the load still runs (it should, for the whole run). */
static int load_alive(struct run *r)
{
	int status;

	if (r->load_pid <= 0)
		return 1;
	if (waitpid(r->load_pid, &status, WNOHANG) != r->load_pid)
		return 1;
	r->load_pid = 0;
	fprintf(stderr,
		"brig: latency run: the load (%s) ended by itself (status %d)\n",
		r->o.load,
		WIFEXITED(status) ? WEXITSTATUS(status) :
				    128 + WTERMSIG(status));
	return 0;
}

static void stop_load(struct run *r)
{
	if (r->load_pgid <= 0)
		return;
	kill(-r->load_pgid, SIGTERM);
	for (int i = 0; i < 50 && r->load_pid > 0; i++) {
		if (waitpid(r->load_pid, NULL, WNOHANG) == r->load_pid) {
			r->load_pid = 0;
			break;
		}
		usleep(100000);
	} /* The leader, if it is still there, and any worker it left. */
	kill(-r->load_pgid, SIGKILL);
	if (r->load_pid > 0)
		waitpid(r->load_pid, NULL, 0);
	r->load_pid = r->load_pgid = 0;
}

/* --- the description and the channel ------------------------------------ */

/* The description's latency channel, or NULL (said why). */
static const struct brig_ivshmem *find_channel(const struct config *cfg,
					       const char *file)
{
	const struct brig_cell_desc *c = cfg->blob;
	const struct brig_pci_device *pci = brig_cell_pci_devices(c);

	for (__u32 i = 0; i < c->num_pci_devices; i++) {
		const struct brig_ivshmem *iv = &pci[i].ivshmem;

		if (pci[i].type != BRIG_PCI_TYPE_IVSHMEM ||
		    iv->protocol != BRIG_LATENCY_PROTO)
			continue;
		if (iv->out_size < sizeof(struct brig_latency_hist) ||
		    !iv->rw_size) {
			fprintf(stderr,
				"brig: latency run: %s: channel %u: the histogram needs an output section of at least %zu bytes and a read/write section (out-size 0x%x, rw-size 0x%x)\n",
				file, iv->channel,
				sizeof(struct brig_latency_hist), iv->out_size,
				iv->rw_size);
			return NULL;
		}
		return iv;
	}
	fprintf(stderr,
		"brig: latency run: %s has no latency channel: it needs an ivshmem device with protocol 0x%x whose other peer is the root (docs/benchmarking.md)\n",
		file, BRIG_LATENCY_PROTO);
	return NULL;
}

static int load_description(struct run *r)
{
	struct diags d = { 0 };
	int ok = !config_load(r->o.desc, &r->cfg, &d) &&
		 !config_check_one(&r->cfg, &d) && !r->cfg.is_system;

	diags_print(&d, stderr);
	diags_free(&d);
	if (!ok) {
		if (r->cfg.blob && r->cfg.is_system)
			fprintf(stderr,
				"brig: latency run: %s is a system description, not a cell description\n",
				r->o.desc);
		return -1;
	}
	snprintf(r->name, sizeof(r->name), "%.*s", BRIG_CELL_NAME_LEN,
		 ((const struct brig_cell_desc *)r->cfg.blob)->name);
	r->chan = find_channel(&r->cfg, r->o.desc);
	return r->chan ? 0 : -1;
}

/*
 * The root's UIO device of the channel: the one whose state table is the
 * channel's memory. Maps the state table and the output sections.
 */
static int open_root_side(struct run *r)
{
	unsigned long long phys = r->chan->shmem_phys;

	for (int n = 0; n < 64; n++) {
		char uio[16], dev[32];
		long long in_size, out;
		void *st, *in;
		int fd;

		snprintf(uio, sizeof(uio), "uio%d", n);
		if (!brig_uio_is_ivshmem(uio) ||
		    (unsigned long long)brig_uio_value(uio, "maps/map1/addr") !=
			    phys)
			continue;
		in_size = brig_uio_value(uio, "maps/map3/size");
		out = brig_uio_value(uio, "maps/map4/size");
		if (in_size <= 0 || out != r->chan->out_size)
			break;
		snprintf(dev, sizeof(dev), "/dev/%s", uio);
		fd = open(dev, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr,
				"brig: latency run: cannot open %s: %s\n", dev,
				strerror(errno));
			return -1;
		}
		r->state_size = (size_t)getpagesize();
		st = mmap(NULL, r->state_size, PROT_READ, MAP_SHARED, fd,
			  MAP_STATE * getpagesize());
		in = mmap(NULL, (size_t)in_size, PROT_READ, MAP_SHARED, fd,
			  MAP_INPUT * getpagesize());
		close(fd);
		if (st == MAP_FAILED || in == MAP_FAILED) {
			fprintf(stderr,
				"brig: latency run: cannot map %s's sections\n",
				dev);
			return -1;
		}
		if ((unsigned long long)(r->chan->peer + 1) *
			    (unsigned long long)out >
		    (unsigned long long)in_size) {
			fprintf(stderr,
				"brig: latency run: %s maps %lld bytes of output sections, too few for peer %u's\n",
				dev, in_size, r->chan->peer);
			return -1;
		}
		r->state = st;
		maps[0] = st;
		map_sizes[0] = r->state_size;
		maps[1] = in;
		map_sizes[1] = (size_t)in_size;
		snprintf(r->src.uio, sizeof(r->src.uio), "%s", uio);
		r->src.inputs = in;
		r->src.size = (size_t)in_size;
		r->src.out_size = (unsigned long long)out;
		r->src.peer = r->chan->peer;
		return 0;
	}
	fprintf(stderr,
		"brig: latency run: the root has no device of channel %u (memory at 0x%llx): the system description must make the root a peer of it, and brig_ivshmem.ko must be loaded\n",
		r->chan->channel, phys);
	return -1;
}

/* --- the cell -------------------------------------------------------------- */

static int create_cell(struct run *r)
{
	struct brig_config_args args = { .addr = (uintptr_t)r->cfg.blob,
					 .size = (__u32)r->cfg.size };
	int id = cell_request("latency run: cell create", BRIG_IOC_CELL_CREATE,
			      &args);

	if (id <= 0)
		return -1;
	r->id = id;
	return 0;
}

/* The inmate's image, read before anything is created. */
static int read_inmate(struct run *r)
{
	struct diags d = { 0 };

	r->image = read_file(r->o.inmate, MAX_IMAGE_SIZE, "an image",
			     &r->image_size, &d);
	if (r->image && r->image_size)
		return 0;
	if (r->image)
		fprintf(stderr, "brig: latency run: %s is empty\n",
			r->o.inmate);
	diags_print(&d, stderr);
	diags_free(&d);
	return -1;
}

static int load_cell(struct run *r)
{
	struct brig_load_args args = { 0 };
	struct brig_image img[2];
	char cmdline[256];

	/* report-ms=0: no UART summary, so no exit in the hot path. */
	snprintf(cmdline, sizeof(cmdline),
		 "channel=1 report-ms=0 period-us=%ld mode=%s %s",
		 r->o.period_us, r->o.mode, r->o.args ? r->o.args : "");
	img[0] = (struct brig_image){ (uintptr_t)r->image, r->image_size,
				      LOAD_DEFAULT_IMAGE_ADDR };
	img[1] = (struct brig_image){ (uintptr_t)cmdline, strlen(cmdline) + 1,
				      LOAD_DEFAULT_STRING_ADDR };
	args.cell.id = r->id;
	args.num_images = 2;
	args.images = (uintptr_t)img;
	return cell_request("latency run: cell load", BRIG_IOC_CELL_LOAD,
			    &args) ?
		       -1 :
		       0;
}

static int start_cell(struct run *r)
{
	struct brig_cell_ref ref = { .id = r->id };

	return cell_request("latency run: cell start", BRIG_IOC_CELL_START,
			    &ref) ?
		       -1 :
		       0;
}

static int destroy_cell(struct run *r)
{
	struct brig_cell_ref ref = { .id = r->id,
				     .flags = BRIG_SHUTDOWN_FORCE };
	char name[64];

	if (r->id <= 0)
		return 0;
	/* Gone already (destroyed from outside): its id may be another's. */
	cell_name(r->id, name, sizeof(name));
	if (strcmp(name, r->name))
		return 0;
	if (cell_request("latency run: cell destroy", BRIG_IOC_CELL_DESTROY,
			 &ref)) {
		fprintf(stderr,
			"brig: latency run: cell %d (\"%s\") is left: brig cell destroy %d --force\n",
			r->id, r->name, r->id);
		return -1;
	}
	r->id = 0;
	return 0;
}

/*
 * The cell's or the root's exits, summed over its CPUs, by reason; -1
 * (said why) if a counter cannot be read: a figure of 0 must mean 0.
 */
static int sum_exits(int id, long long *sum, unsigned int *ncpus)
{
	unsigned int cpus[256];
	int n = cell_cpus(id, cpus, 256);

	memset(sum, 0, sizeof(long long) * BRIG_EXIT_COUNT);
	for (int i = 0; i < n; i++)
		for (unsigned int e = 0; e < BRIG_EXIT_COUNT; e++) {
			long long v = brig_cpu_exits(cpus[i], e);

			if (v < 0)
				n = -1;
			else
				sum[e] += v;
		}
	if (n <= 0) {
		fprintf(stderr,
			"brig: latency run: cannot read the exit counters of cell %d's CPUs\n",
			id);
		return -1;
	}
	if (ncpus)
		*ncpus = (unsigned int)n;
	return 0;
}

static void sub_exits(long long *a, const long long *b)
{
	for (unsigned int e = 0; e < BRIG_EXIT_COUNT; e++)
		a[e] -= b[e];
}

/* Whether the cell still runs; says so if not. */
static int cell_running(struct run *r)
{
	char state[64];

	cell_state(r->id, state, sizeof(state));
	if (!strcmp(state, "running"))
		return 1;
	if (!state[0])
		r->id = 0; /* gone: not ours to destroy any more */
	fprintf(stderr,
		"brig: latency run: cell \"%s\" is %s: see brig console\n",
		r->name, state[0] ? state : "gone");
	return 0;
}

/* Why the first output did not come, as far as the root can see. */
static void no_first_output(const struct run *r)
{
	const volatile struct brig_latency_hist *h =
		(const volatile void *)(r->src.inputs +
					r->src.peer * r->src.out_size);

	if (!r->state[r->chan->peer]) {
		fprintf(stderr,
			"brig: latency run: cell \"%s\" did not join channel %u within %d s (its state is 0): is %s the latency inmate? (its console says)\n",
			r->name, r->chan->channel, FIRST_OUTPUT_MS / 1000,
			r->o.inmate);
		return;
	}
	fprintf(stderr,
		"brig: latency run: cell \"%s\" published no sample within %d s (magic %#x, seq %u, samples %llu): its timer never ticked (its console says)\n",
		r->name, FIRST_OUTPUT_MS / 1000, h->magic, h->seq,
		(unsigned long long)h->samples);
}

/* Waits for the inmate's state write, then for its first sample. */
static int wait_first_output(struct run *r, long long *t)
{
	struct brig_latency_hist h;
	long long end = now_ns() + FIRST_OUTPUT_MS * 1000000LL;

	while (!r->state[r->chan->peer]) {
		if (stop_signal || now_ns() > end || !cell_running(r))
			goto none;
		usleep(200);
	}
	t[LATENCY_FIRST_STATE] = now_ns();
	while (!latency_snapshot(&r->src, r->src.peer, &h) || !h.samples) {
		if (stop_signal || now_ns() > end || !cell_running(r))
			goto none;
		usleep(1000);
	}
	t[LATENCY_FIRST_HIST] = now_ns();
	return 0;
none:
	if (!stop_signal && now_ns() > end)
		no_first_output(r);
	return -1;
}

/* --- the run --------------------------------------------------------------- */

static void live_line(const struct run *r, const struct brig_latency_hist *h,
		      double seconds)
{
	struct latency_summary s;

	if (r->o.quiet || r->o.json)
		return;
	latency_summarize(h, &s);
	printf("%5.1f s: samples %llu, min %lld, avg %lld, max %lld ns, missed %llu\n",
	       seconds, s.samples, s.min_ns, s.avg_ns, s.max_ns, s.missed);
	fflush(stdout);
}

/* The window: from the first histogram until the duration or a stop. */
static int measure(struct run *r)
{
	long long cell0[BRIG_EXIT_COUNT], root0[BRIG_EXIT_COUNT];
	long long start = now_ns(),
		  end = start + r->o.duration_s * 1000000000LL;
	struct brig_latency_hist h;
	int ok = 1;

	if (sum_exits(r->id, cell0, NULL) || sum_exits(0, root0, NULL))
		return -1;
	memcpy(r->res.cell_exits_before, cell0, sizeof(cell0));
	while (!stop_signal && now_ns() < end) {
		long long left = (end - now_ns()) / 1000000;

		nap(left < r->o.interval_ms ? left : r->o.interval_ms);
		if (!cell_running(r) || !load_alive(r)) {
			ok = 0;
			break;
		}
		if (latency_snapshot(&r->src, r->src.peer, &h))
			live_line(r, &h, (double)(now_ns() - start) / 1e9);
	}
	if (r->id <= 0 || sum_exits(r->id, r->res.cell_exits, NULL) ||
	    sum_exits(0, r->res.root_exits, &r->res.root_cpus))
		return -1;
	r->res.seconds = (double)(now_ns() - start) / 1e9;
	sub_exits(r->res.cell_exits, cell0);
	sub_exits(r->res.root_exits, root0);
	if (!latency_snapshot(&r->src, r->src.peer, &r->res.hist)) {
		fprintf(stderr,
			"brig: latency run: the histogram of cell \"%s\" went away\n",
			r->name);
		return -1;
	}
	r->res.interrupted = stop_signal != 0;
	return ok ? 0 : -1;
}

typedef void (*writer)(FILE *f, const struct latency_result *r);

static void write_csv(FILE *f, const struct latency_result *r)
{
	latency_write_csv(f, &r->hist);
}

static int write_one(const struct run *r, const char *file, writer w)
{
	char *path = xasprintf("%s/%s", r->o.out, file);
	/* Not through a link someone left there: the tool runs as root. */
	int fd = openat(r->out_fd, file,
			O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
			0644);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;
	int ok;

	if (!f) {
		if (fd >= 0)
			close(fd);
		fprintf(stderr, "brig: latency run: cannot write %s: %s\n",
			path, strerror(errno));
		free(path);
		return -1;
	}
	w(f, &r->res);
	ok = !ferror(f);
	ok &= fclose(f) == 0;
	if (!ok)
		fprintf(stderr, "brig: latency run: cannot write %s\n", path);
	free(path);
	return ok ? 0 : -1;
}

/* --out's directory, made if need be, before anything starts. */
static int open_out(struct run *r)
{
	if (mkdir(r->o.out, 0755) && errno != EEXIST) {
		fprintf(stderr, "brig: latency run: cannot make %s: %s\n",
			r->o.out, strerror(errno));
		return -1;
	}
	r->out_fd = open(r->o.out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r->out_fd < 0) {
		fprintf(stderr, "brig: latency run: --out %s: %s\n", r->o.out,
			strerror(errno));
		return -1;
	}
	return 0;
}

static int write_files(const struct run *r)
{
	if (write_one(r, "latency.txt", latency_write_text) ||
	    write_one(r, "latency.json", latency_write_json) ||
	    write_one(r, "latency.csv", write_csv) ||
	    write_one(r, "latency.svg", latency_write_svg))
		return -1;
	if (!r->o.quiet && !r->o.json)
		printf("wrote %s/latency.{txt,json,csv,svg}\n", r->o.out);
	return 0;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_stop };

	/* No SA_RESTART: a stop ends a sleep at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	/* A closed pipe on stdout fails the writes, and the run goes on. */
	signal(SIGPIPE, SIG_IGN);
	sa.sa_handler = NULL;
	sa.sa_sigaction = on_bus;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGBUS, &sa, NULL);
}

/* Everything from the root's device to the measured window. */
static int run_cell(struct run *r, char **load)
{
	long long *t = r->res.phase_ns, begin, end[LATENCY_PHASES];

	if (open_root_side(r))
		return -1;
	if (load[0] && start_load(r, load))
		return -1;
	/* The load settles before the cell starts: all of it is measured. */
	if (load[0])
		nap(1000);
	begin = now_ns();
	if (stop_signal || create_cell(r))
		return -1;
	end[LATENCY_CREATE] = now_ns();
	if (stop_signal || load_cell(r))
		return -1;
	end[LATENCY_LOAD] = now_ns();
	if (stop_signal || start_cell(r))
		return -1;
	end[LATENCY_START] = now_ns();
	if (wait_first_output(r, end))
		return -1;
	t[LATENCY_CREATE] = end[LATENCY_CREATE] - begin;
	for (unsigned int p = LATENCY_LOAD; p < LATENCY_PHASES; p++)
		t[p] = end[p] - end[p - 1];
	return measure(r);
}

static int cmd_run(int argc, char **argv)
{
	static struct run r; /* static: siglongjmp keeps it intact */
	static struct load_cmd load;
	long long t0;
	volatile int ret = BRIG_EXIT_FAILED; /* kept across siglongjmp */
	int err;

	memset(&r, 0, sizeof(r));
	if (parse_opts(argc, argv, &r.o))
		return BRIG_EXIT_USAGE;
	memset(&load, 0, sizeof(load));
	if (strcmp(r.o.load, "none") && load_argv(&r.o, &load))
		return BRIG_EXIT_FAILED;
	t0 = now_ns();
	r.out_fd = -1;
	if (load_description(&r) || read_inmate(&r) ||
	    (r.o.out && open_out(&r)))
		goto out;
	r.res.phase_ns[LATENCY_VALIDATE] = now_ns() - t0;
	r.res.cell = r.name;
	r.res.load = r.o.load;
	r.res.mode = r.o.mode;
	r.res.period_us = (unsigned long long)r.o.period_us;
	stop_signal = 0;
	if (sigsetjmp(bus_jump, 1)) {
		fprintf(stderr,
			"brig: latency run: the channel's device went away (brig disabled?)\n");
		goto out;
	}
	catch_signals();
	err = run_cell(&r, load.argv);
	if (stop_signal && err)
		fprintf(stderr, "brig: latency run: stopped by signal %d\n",
			(int)stop_signal);
	if (!err && r.o.out && write_files(&r))
		err = -1;
	if (!err) {
		if (r.o.json)
			latency_write_json(stdout, &r.res);
		else
			latency_write_text(stdout, &r.res);
		ret = BRIG_EXIT_OK;
	}
out:
	signal(SIGBUS, SIG_DFL);
	stop_load(&r);
	if (destroy_cell(&r))
		ret = BRIG_EXIT_FAILED;
	config_free(&r.cfg);
	free(r.image);
	if (r.out_fd >= 0)
		close(r.out_fd);
	return ret;
}

const struct command latency_run_command = {
	.name = "run",
	.run = cmd_run,
	.usage =
		"  brig latency run CELL-DESCRIPTION INMATE [--period-us US] [--duration S]\n"
		"        [--mode auto|deadline|oneshot|periodic]\n"
		"        [--load none|hackbench|stress-ng:STRESSOR|stress-ng-class:CLASS]\n"
		"        [--out DIR]\n"
		"        [--interval-ms MS] [--inmate-args ARGS] [--json] [--quiet]\n"
		"        create the cell, run the latency inmate INMATE in it with a\n"
		"        timer of period US (default 1000) for S seconds (default 10)\n"
		"        while the root runs the load, read its histogram live over\n"
		"        the description's latency channel, then destroy the cell and\n"
		"        print the summary and the cell's and the root's VM exits;\n"
		"        --out writes latency.txt, .json, .csv and .svg into DIR;\n"
		"        --inmate-args adds to the inmate's command line\n",
	.value_opts = value_opts,
};
