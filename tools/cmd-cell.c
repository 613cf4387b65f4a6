// SPDX-License-Identifier: GPL-2.0
/*
 * brig cell create | load | start | shutdown | destroy | list | stats.
 *
 * The requests go to the driver through /dev/brig; list and stats read
 * /sys/class/misc/brig/cells/<id>/ and the per-CPU exit counters. A cell
 * is named on the command line by its id (a number) or by its name. The
 * argument parsing is done by pure functions (cell_parse_*) so that the
 * unit tests can call them directly.
 *
 * Exit status: 0 done, 1 refused (the driver's sentence is printed), 2 a
 * wrong command line (usage on stderr).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <brig/hypercall.h>
#include <brig/ioctl.h>

#include "brig-tool.h"

#define MAX_CELLS 256

/* --- parsing ------------------------------------------------------------ */

static int set_err(char *err, const char *fmt, const char *arg)
{
	snprintf(err, CELL_ERR_LEN, fmt, arg);
	return -1;
}

int cell_parse_addr(const char *s, unsigned long long *addr)
{
	char *end;

	if (!*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	*addr = strtoull(s, &end, 0);
	return errno || *end ? -1 : 0;
}

int cell_parse_ref(const char *arg, struct brig_cell_ref *ref, char *err)
{
	unsigned long long id;

	memset(ref, 0, sizeof(*ref));
	if (!*arg || *arg == '-')
		return set_err(err, "\"%s\" is not a cell name or id", arg);
	if (strspn(arg, "0123456789") == strlen(arg)) {
		if (cell_parse_addr(arg, &id) || id > INT32_MAX)
			return set_err(err, "cell id %s is too large", arg);
		ref->id = (__s32)id;
		return 0;
	}
	if (strlen(arg) >= sizeof(ref->name))
		return set_err(
			err,
			"cell name \"%s\" is too long (at most 31 characters)",
			arg);
	ref->id = -1;
	memcpy(ref->name, arg, strlen(arg));
	return 0;
}

/* -a ADDR at argv[*i]: sets the address of the item before it. */
static int parse_addr_opt(int argc, char **argv, int *i, struct load_item *last,
			  char *err)
{
	if (!last)
		return set_err(err, "%s needs an IMAGE or -s STRING before it",
			       argv[*i]);
	if (*i + 1 >= argc)
		return set_err(err, "%s needs an address", argv[*i]);
	if (last->addr_given)
		return set_err(err, "a second -a %s for the same image",
			       argv[*i + 1]);
	if (cell_parse_addr(argv[++*i], &last->addr))
		return set_err(err, "\"%s\" is not an address", argv[*i]);
	last->addr_given = 1;
	return 0;
}

int cell_parse_load(int argc, char **argv, struct load_item *items,
		    unsigned int *n, char *err)
{
	struct load_item *last = NULL;
	int i;

	*n = 0;
	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "-a")) {
			if (parse_addr_opt(argc, argv, &i, last, err))
				return -1;
			continue;
		}
		last = &items[(*n)++];
		memset(last, 0, sizeof(*last));
		if (!strcmp(argv[i], "-s")) {
			if (i + 1 >= argc)
				return set_err(err, "%s needs a string", "-s");
			last->string = argv[++i];
			last->addr = LOAD_DEFAULT_STRING_ADDR;
		} else if (argv[i][0] == '-' && argv[i][1]) {
			return set_err(err, "unknown option \"%s\"", argv[i]);
		} else {
			last->file = argv[i];
			last->addr = LOAD_DEFAULT_IMAGE_ADDR;
		}
	}
	if (!*n)
		return set_err(err, "%s",
			       "load needs at least one IMAGE or -s STRING");
	return 0;
}

/* One number or range of a cpu list at *s; advances *s. */
static int parse_cpu_range(const char **s, unsigned int *lo, unsigned int *hi)
{
	char *end;

	if (**s < '0' || **s > '9')
		return -1;
	*lo = *hi = (unsigned int)strtoul(*s, &end, 10);
	if (*end == '-') {
		if (end[1] < '0' || end[1] > '9')
			return -1;
		*hi = (unsigned int)strtoul(end + 1, &end, 10);
	}
	*s = end;
	return *hi < *lo || *hi >= 65536 ? -1 : 0;
}

int cell_parse_cpu_list(const char *s, unsigned int *cpus, unsigned int max)
{
	unsigned int lo, hi, n = 0;

	while (*s && *s != '\n') {
		if (parse_cpu_range(&s, &lo, &hi))
			return -1;
		for (; lo <= hi; lo++) {
			if (n == max || (n && lo <= cpus[n - 1]))
				return -1;
			cpus[n++] = lo;
		}
		if (*s == ',')
			s++;
		else if (*s && *s != '\n')
			return -1;
	}
	return (int)n;
}

/* --- sysfs ------------------------------------------------------------- */

/* One line of cells/<id>/<what>, newline removed; "" if unreadable. */
static void read_attr(int id, const char *what, char *buf, size_t size)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/cells/%d/%s", brig_sysfs_dir(), id,
		 what);
	buf[0] = '\0';
	f = fopen(path, "r");
	if (!f)
		return;
	if (!fgets(buf, (int)size, f))
		buf[0] = '\0';
	fclose(f);
	buf[strcspn(buf, "\n")] = '\0';
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* The ids under cells/, ascending; -1 if there is no such directory. */
static int list_ids(int *ids, int max)
{
	char path[4096];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/cells", brig_sysfs_dir());
	d = opendir(path);
	if (!d) {
		fprintf(stderr,
			"brig: cell: %s not found: is brig.ko loaded?\n", path);
		return -1;
	}
	while ((e = readdir(d)) && n < max)
		if (e->d_name[0] >= '0' && e->d_name[0] <= '9')
			ids[n++] = atoi(e->d_name);
	closedir(d);
	qsort(ids, (size_t)n, sizeof(*ids), cmp_int);
	return n;
}

/* --- channels ------------------------------------------------------------ */

int cell_channels(int id, struct cell_channel *ch, int max)
{
	char path[4096], line[512];
	int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cells/%d/channels", brig_sysfs_dir(),
		 id);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (n < max && fgets(line, sizeof(line), f)) {
		struct cell_channel *c = &ch[n];
		char states[400], *s = states, *tok;

		if (sscanf(line, "%u %u %u %399s", &c->channel, &c->peer,
			   &c->peers, states) != 4)
			continue;
		c->present = 0;
		for (unsigned int p = 0; (tok = strsep(&s, ",")) && p < 16;
		     p++) {
			c->state[p] = strtoul(tok, NULL, 0);
			if (strcmp(tok, "-"))
				c->present |= 1u << p;
		}
		n++;
	}
	fclose(f);
	return n;
}

/*
 * The peers of channel id in peer order: the cell among ids[0..n) that
 * is each one and its state, or that none is.
 */
static void print_channel_peers(const int *ids, int n, unsigned int id,
				unsigned int peers)
{
	char name[64];

	for (unsigned int p = 0; p < peers; p++) {
		bool found = false;

		for (int i = 0; i < n && !found; i++) {
			struct cell_channel ch[16];
			int k = cell_channels(ids[i], ch, 16);

			for (int c = 0; c < k && !found; c++) {
				if (ch[c].channel != id || ch[c].peer != p)
					continue;
				read_attr(ids[i], "name", name, sizeof(name));
				printf(" %s (peer %u, state %u)", name, p,
				       ch[c].state[p % 16]);
				found = true;
			}
		}
		if (!found)
			printf(" - (peer %u not there)", p);
	}
}

/* "1:0/2[1,-]": channel 1, this cell peer 0 of 2, the peers' states. */
static void print_channels(int id)
{
	struct cell_channel ch[16];
	int n = cell_channels(id, ch, 16);

	for (int i = 0; i < n; i++) {
		printf("%s%u:%u/%u[", i ? " " : "", ch[i].channel, ch[i].peer,
		       ch[i].peers);
		for (unsigned int p = 0; p < ch[i].peers && p < 16; p++)
			if (ch[i].present & (1u << p))
				printf("%s%u", p ? "," : "", ch[i].state[p]);
			else
				printf("%s-", p ? "," : "");
		printf("]");
	}
	if (!n)
		printf("-");
}

static void print_channels_json(int id)
{
	struct cell_channel ch[16];
	int n = cell_channels(id, ch, 16);

	printf("[");
	for (int i = 0; i < n; i++) {
		printf("%s{\"channel\": %u, \"peer\": %u, \"peers\": %u, \"states\": [",
		       i ? ", " : "", ch[i].channel, ch[i].peer, ch[i].peers);
		for (unsigned int p = 0; p < ch[i].peers && p < 16; p++)
			if (ch[i].present & (1u << p))
				printf("%s%u", p ? ", " : "", ch[i].state[p]);
			else
				printf("%snull", p ? ", " : "");
		printf("]}");
	}
	printf("]");
}

/*
 * brig info: every channel once, with the cells that are its peers and
 * their states (what the last cell listed for it saw in its table).
 */
void cell_print_channels(void)
{
	int ids[MAX_CELLS], n = list_ids(ids, MAX_CELLS);
	unsigned int seen[64], num_seen = 0;

	for (int i = 0; i < n; i++) {
		struct cell_channel ch[16];
		int k = cell_channels(ids[i], ch, 16);

		for (int c = 0; c < k; c++) {
			unsigned int id = ch[c].channel, j;

			for (j = 0; j < num_seen && seen[j] != id; j++)
				;
			if (j < num_seen || num_seen == 64)
				continue;
			seen[num_seen++] = id;
			printf("channel %u: %u peers:", id, ch[c].peers);
			print_channel_peers(ids, n, id, ch[c].peers);
			printf("\n");
		}
	}
	if (!num_seen)
		printf("channels: none\n");
}

static int cell_list(int argc, char **argv)
{
	int json = argc > 1 && !strcmp(argv[1], "--json");
	char name[64], state[64], cpus[256];
	int ids[MAX_CELLS], n, i;

	if (argc > 1 + json)
		return bad_argument(argv[1 + json]);
	n = list_ids(ids, MAX_CELLS);
	if (n < 0)
		return BRIG_EXIT_FAILED;
	if (json)
		printf("[");
	else
		printf("%-4s %-32s %-20s %-8s %s\n", "ID", "NAME", "STATE",
		       "CPUS", "CHANNELS");
	for (i = 0; i < n; i++) {
		read_attr(ids[i], "name", name, sizeof(name));
		read_attr(ids[i], "state", state, sizeof(state));
		read_attr(ids[i], "cpus", cpus, sizeof(cpus));
		if (!json) {
			printf("%-4d %-32s %-20s %-8s ", ids[i], name, state,
			       cpus);
			print_channels(ids[i]);
			printf("\n");
			continue;
		}
		printf("%s{\"id\": %d, \"name\": ", i ? ", " : "", ids[i]);
		json_string(stdout, name);
		printf(", \"state\": ");
		json_string(stdout, state);
		printf(", \"cpus\": ");
		json_string(stdout, cpus);
		printf(", \"channels\": ");
		print_channels_json(ids[i]);
		printf("}");
	}
	if (json)
		printf("]\n");
	return BRIG_EXIT_OK;
}

/* The id of the cell ref names in sysfs, or -1 (said why). */
static int find_cell(const struct brig_cell_ref *ref, const char *arg)
{
	int ids[MAX_CELLS], n, i;
	char name[64];

	n = list_ids(ids, MAX_CELLS);
	for (i = 0; i < n; i++) {
		if (ref->id >= 0 && ids[i] == ref->id)
			return ids[i];
		read_attr(ids[i], "name", name, sizeof(name));
		if (ref->id < 0 && !strcmp(name, ref->name))
			return ids[i];
	}
	if (n >= 0)
		fprintf(stderr,
			"brig: cell stats: no cell %s%s%s: see brig cell list\n",
			ref->id >= 0 ? "with id " : "named \"", arg,
			ref->id >= 0 ? "" : "\"");
	return -1;
}

int cell_cpus(int id, unsigned int *cpus, unsigned int max)
{
	char list[1024];

	read_attr(id, "cpus", list, sizeof(list));
	return list[0] ? cell_parse_cpu_list(list, cpus, max) : -1;
}

void cell_state(int id, char *buf, size_t size)
{
	read_attr(id, "state", buf, size);
}

void cell_name(int id, char *buf, size_t size)
{
	read_attr(id, "name", buf, size);
}

void cell_of_cpu(unsigned int cpu, char *buf, size_t size)
{
	int ids[MAX_CELLS], n = list_ids(ids, MAX_CELLS);
	unsigned int cpus[256];

	buf[0] = '\0';
	for (int i = 0; i < n; i++) {
		int k = cell_cpus(ids[i], cpus, 256);

		for (int c = 0; c < k; c++)
			if (cpus[c] == cpu) {
				read_attr(ids[i], "name", buf, size);
				return;
			}
	}
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
void print_prom_label(const char *s)
{
	for (; *s; s++)
		if (*s == '\\' || *s == '"')
			printf("\\%c", *s);
		else if (*s == '\n')
			printf("\\n");
		else
			putchar(*s);
}

void cell_print_prometheus(void)
{
	int ids[MAX_CELLS], n = list_ids(ids, MAX_CELLS);
	char name[64], state[64];

	printf("# HELP brig_cell_state A cell and its state (1 for the state it is in).\n");
	printf("# TYPE brig_cell_state gauge\n");
	for (int i = 0; i < n; i++) {
		read_attr(ids[i], "name", name, sizeof(name));
		read_attr(ids[i], "state", state, sizeof(state));
		printf("brig_cell_state{id=\"%d\",cell=\"", ids[i]);
		print_prom_label(name);
		printf("\",state=\"");
		print_prom_label(state);
		printf("\"} 1\n");
	}
}

/* The unowned ports an OS cell touched, from cells/<id>/ports. */
struct port_count {
	unsigned int port;
	long long reads, writes;
};

static int read_ports(int id, struct port_count *p, int max, long long *other)
{
	char path[4096], line[128];
	int n = 0;
	FILE *f;

	*other = -1;
	snprintf(path, sizeof(path), "%s/cells/%d/ports", brig_sysfs_dir(), id);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "other %lld", other) == 1)
			continue;
		if (n < max && sscanf(line, "%x %lld %lld", &p[n].port,
				      &p[n].reads, &p[n].writes) == 3)
			n++;
	}
	fclose(f);
	return n;
}

static void print_ports(int id, const char *name, enum stats_format format)
{
	struct port_count p[BRIG_PORT_STATS_MAX];
	long long other;
	int n = read_ports(id, p, BRIG_PORT_STATS_MAX, &other);

	if (format == STATS_JSON) {
		printf(", \"unowned_ports\": [");
		for (int i = 0; i < n; i++)
			printf("%s{\"port\": %u, \"reads\": %lld, \"writes\": %lld}",
			       i ? ", " : "", p[i].port, p[i].reads,
			       p[i].writes);
		printf("], \"unowned_ports_other\": %lld",
		       other < 0 ? 0 : other);
		return;
	}
	if (format == STATS_PROMETHEUS) {
		printf("# HELP brig_cell_unowned_port_accesses_total Accesses of a cell to a port it does not own (all-ones read, write dropped).\n");
		printf("# TYPE brig_cell_unowned_port_accesses_total counter\n");
		for (int i = 0; i < n; i++)
			for (int w = 0; w < 2; w++) {
				printf("brig_cell_unowned_port_accesses_total{cell=\"");
				print_prom_label(name);
				printf("\",port=\"0x%x\",access=\"%s\"} %lld\n",
				       p[i].port, w ? "write" : "read",
				       w ? p[i].writes : p[i].reads);
			}
		return;
	}
	if (!n && other <= 0)
		return;
	printf("\nunowned ports (read as all-ones, writes dropped)\n");
	printf("%-12s %12s %12s\n", "port", "reads", "writes");
	for (int i = 0; i < n; i++)
		printf("0x%-10x %12lld %12lld\n", p[i].port, p[i].reads,
		       p[i].writes);
	if (other > 0)
		printf("%-12s %12lld (ports beyond the %d counted)\n", "other",
		       other, BRIG_PORT_STATS_MAX);
}

static int cell_stats(int argc, char **argv)
{
	struct brig_cell_ref ref;
	unsigned int cpus[256];
	char err[CELL_ERR_LEN], list[1024];
	const char *cell = NULL;
	enum stats_format format = STATS_TEXT;
	int id, n, i, seen = 0;

	for (i = 1; i < argc; i++) {
		if (argv[i][0] == '-' && argv[i][1]) {
			if (parse_stats_format(argv[i], &format, &seen))
				return BRIG_EXIT_USAGE;
		} else if (cell)
			return bad_argument(argv[i]);
		else
			cell = argv[i];
	}
	if (!cell)
		return usage_error("missing NAME|ID, the cell");
	if (cell_parse_ref(cell, &ref, err))
		return usage_error("%s", err);
	id = find_cell(&ref, cell);
	if (id < 0)
		return BRIG_EXIT_FAILED;
	read_attr(id, "cpus", list, sizeof(list));
	n = cell_parse_cpu_list(list, cpus, 256);
	if (n <= 0) {
		fprintf(stderr,
			"brig: cell stats: cannot read the CPUs of cell %d (\"%s\")\n",
			id, list);
		return BRIG_EXIT_FAILED;
	}
	read_attr(id, "name", list, sizeof(list));
	if (format == STATS_JSON) {
		printf("{");
		print_stats_json_cpus(cpus, (unsigned int)n);
		print_ports(id, list, format);
		printf("}\n");
	} else {
		print_exit_stats(cpus, (unsigned int)n, format);
		print_ports(id, list, format);
	}
	return BRIG_EXIT_OK;
}

/* --- requests to the driver ---------------------------------------------- */

int cell_request(const char *what, unsigned long req, void *arg)
{
	int fd = brig_open_device(), ret;

	if (fd < 0)
		return -1;
	ret = brig_ioctl(fd, what, req, arg);
	close(fd);
	return ret;
}

int load_cell_description(const char *path, const char *what,
			  struct config *cfg, struct diags *d)
{
	if (config_load(path, cfg, d) || config_check_one(cfg, d) ||
	    cfg->is_system) {
		diags_print(d, stderr);
		if (cfg->blob && cfg->is_system)
			fprintf(stderr,
				"brig: %s: %s is a system description, not a cell description\n",
				what, path);
		return -1;
	}
	diags_print(d, stderr); /* warnings */
	return 0;
}

static int cell_create(int argc, char **argv)
{
	struct brig_config_args args = { 0 };
	struct config cfg = { 0 };
	struct diags d = { 0 };
	int id, ret = BRIG_EXIT_FAILED;

	if (argc < 2)
		return usage_error("missing CELL-DESCRIPTION");
	if (argv[1][0] == '-' || argc > 2)
		return bad_argument(argv[argv[1][0] == '-' ? 1 : 2]);
	if (load_cell_description(argv[1], "cell create", &cfg, &d))
		goto out;
	args.addr = (uintptr_t)cfg.blob;
	args.size = (__u32)cfg.size;
	id = cell_request("cell create", BRIG_IOC_CELL_CREATE, &args);
	if (id > 0) {
		printf("%d\n", id);
		ret = BRIG_EXIT_OK;
	}
out:
	diags_free(&d);
	config_free(&cfg);
	return ret;
}

/* Reads the files and points the images at them and at the strings. */
static int build_images(const struct load_item *items, unsigned int n,
			struct brig_image *img, void **bufs)
{
	struct diags d = { 0 };
	size_t size;
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (items[i].file) {
			bufs[i] = read_file(items[i].file, MAX_IMAGE_SIZE,
					    "an image", &size, &d);
			if (!bufs[i] || !size) {
				if (bufs[i])
					fprintf(stderr,
						"brig: cell load: %s is empty\n",
						items[i].file);
				diags_print(&d, stderr);
				diags_free(&d);
				return -1;
			}
			img[i].source = (uintptr_t)bufs[i];
			img[i].size = size;
		} else {
			img[i].source = (uintptr_t)items[i].string;
			img[i].size = strlen(items[i].string) + 1;
		}
		img[i].target = items[i].addr;
	}
	return 0;
}

/*
 * Takes "--force" out of argv (wherever it is, once): 1 if it was there,
 * 0 if not, -1 if it was given twice.
 */
static int take_force(int *argc, char **argv)
{
	int i, j, found = 0;

	for (i = j = 0; i < *argc; i++) {
		if (i && !strcmp(argv[i], "--force") &&
		    (i < 2 || strcmp(argv[i - 1], "-s")))
			found++;
		else
			argv[j++] = argv[i];
	}
	*argc = j;
	return found > 1 ? -1 : found;
}

static int cell_load(int argc, char **argv)
{
	struct brig_load_args args = { 0 };
	char err[CELL_ERR_LEN];
	struct load_item *items;
	struct brig_image *img;
	unsigned int n = 0, i;
	void **bufs;
	int ret = BRIG_EXIT_FAILED, force = take_force(&argc, argv);

	if (force < 0)
		return bad_argument("--force");
	if (argc < 2)
		return usage_error("missing NAME|ID, the cell");
	if (argc < 3)
		return usage_error("missing IMAGE or -s STRING");
	if (cell_parse_ref(argv[1], &args.cell, err))
		return usage_error("%s", err);
	args.cell.flags = force ? BRIG_SHUTDOWN_FORCE : 0;
	items = xcalloc((size_t)argc, sizeof(*items));
	if (cell_parse_load(argc - 2, argv + 2, items, &n, err)) {
		free(items);
		return usage_error("%s", err);
	}
	img = xcalloc(n, sizeof(*img));
	bufs = xcalloc(n, sizeof(*bufs));
	if (!build_images(items, n, img, bufs)) {
		args.num_images = n;
		args.images = (uintptr_t)img;
		if (!cell_request("cell load", BRIG_IOC_CELL_LOAD, &args)) {
			printf("brig: %u image%s loaded into cell %s\n", n,
			       n == 1 ? "" : "s", argv[1]);
			ret = BRIG_EXIT_OK;
		}
	}
	for (i = 0; i < n; i++)
		free(bufs[i]);
	free(bufs);
	free(img);
	free(items);
	return ret;
}

/* start, shutdown, destroy: NAME|ID and, where allowed, --force. */
static int cell_simple(int argc, char **argv, unsigned long req, int force_ok)
{
	struct brig_cell_ref ref;
	char err[CELL_ERR_LEN], what[32];
	const char *cell = NULL;
	int i, force = 0;

	for (i = 1; i < argc; i++) {
		if (force_ok && !strcmp(argv[i], "--force") && !force)
			force = 1;
		else if (cell || (argv[i][0] == '-' && argv[i][1]))
			return bad_argument(argv[i]);
		else
			cell = argv[i];
	}
	if (!cell)
		return usage_error("missing NAME|ID, the cell");
	if (cell_parse_ref(cell, &ref, err))
		return usage_error("%s", err);
	ref.flags = force ? BRIG_SHUTDOWN_FORCE : 0;
	snprintf(what, sizeof(what), "cell %s", argv[0]);
	if (cell_request(what, req, &ref))
		return BRIG_EXIT_FAILED;
	printf("brig: cell %s: %s done\n", cell, argv[0]);
	return BRIG_EXIT_OK;
}

static int cell_start(int argc, char **argv)
{
	return cell_simple(argc, argv, BRIG_IOC_CELL_START, 1);
}

static int cell_shutdown(int argc, char **argv)
{
	return cell_simple(argc, argv, BRIG_IOC_CELL_SHUTDOWN, 1);
}

static int cell_destroy(int argc, char **argv)
{
	return cell_simple(argc, argv, BRIG_IOC_CELL_DESTROY, 1);
}

static const struct command cell_create_command = {
	.name = "create",
	.run = cell_create,
	.usage =
		"  brig cell create CELL-DESCRIPTION\n"
		"        create a cell (.dts, .dtb or compiled .cell); prints its id\n",
};

static const struct command cell_load_command = {
	.name = "load",
	.run = cell_load,
	.usage =
		"  brig cell load NAME|ID [--force] IMAGE [-a ADDR] [-s STRING [-a ADDR]]...\n"
		"        stop the cell (it may deny unless --force) and copy images\n"
		"        into its loadable memory: each IMAGE file at ADDR (default 0),\n"
		"        each STRING with its NUL at ADDR (default 0x1000);\n"
		"        guest-physical addresses of the cell\n",
	.value_opts = (const char *const[]){ "-a", "-s", NULL },
};

static const struct command cell_start_command = {
	.name = "start",
	.run = cell_start,
	.usage =
		"  brig cell start NAME|ID [--force]\n"
		"        start the cell at its entry address (a running cell is\n"
		"        stopped first: it may deny unless --force)\n",
};

static const struct command cell_shutdown_command = {
	.name = "shutdown",
	.run = cell_shutdown,
	.usage = "  brig cell shutdown NAME|ID [--force]\n"
		 "        stop the cell (it may deny unless --force)\n",
};

static const struct command cell_destroy_command = {
	.name = "destroy",
	.run = cell_destroy,
	.usage =
		"  brig cell destroy NAME|ID [--force]\n"
		"        stop the cell (it may deny unless --force) and give its CPUs,\n"
		"        memory and devices back to the root cell\n",
};

static const struct command cell_list_command = {
	.name = "list",
	.run = cell_list,
	.usage =
		"  brig cell list [--json]\n"
		"        every cell: id, name, state, CPUs and ivshmem channels,\n"
		"        each as CHANNEL:PEER/PEERS[the peers' states, - for one\n"
		"        not there]\n",
};

static const struct command cell_stats_command = {
	.name = "stats",
	.run = cell_stats,
	.usage =
		"  brig cell stats NAME|ID [--json|--format=text|json|prometheus]\n"
		"        VM exits of the cell's CPUs by reason\n",
};

const struct command cell_command = {
	.name = "cell",
	.sub =
		(const struct command *const[]){
			&cell_create_command, &cell_load_command,
			&cell_start_command, &cell_shutdown_command,
			&cell_destroy_command, &cell_list_command,
			&cell_stats_command, &cell_linux_command, NULL },
};
