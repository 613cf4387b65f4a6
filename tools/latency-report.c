// SPDX-License-Identifier: GPL-2.0
/*
 * The files `brig latency run` writes about one run: a text summary, JSON,
 * the histogram as CSV and as an SVG chart. Pure functions of a struct
 * latency_result, so that the unit tests check every format, and so that
 * the SVG needs no plotting program on the board (an embedded root has
 * none; `make bench` draws its combined charts with gnuplot on the host).
 *
 * Every time in here is the cell's clock or the root's: emulated time on
 * an emulator, honest only as a ratio within one run (docs/benchmarking.md).
 * Exit counts are counts, honest everywhere.
 */
#include <stdio.h>
#include <string.h>

#include <brig/hypercall.h>
#include <brig/latency.h>

#include "brig-tool.h"

static const char *const phase_names[LATENCY_PHASES] = {
	"validate", "create", "load", "start", "first-state", "first-histogram",
};

/* The timer mode the inmate says it ran (it may fall back from deadline). */
static const char *timer_name(const struct brig_latency_hist *h)
{
	switch (h->mode) {
	case BRIG_LATENCY_MODE_DEADLINE:
		return "TSC-deadline";
	case BRIG_LATENCY_MODE_ONESHOT:
		return "one-shot";
	case BRIG_LATENCY_MODE_PERIODIC:
		return "periodic";
	}
	return "unknown";
}

const char *latency_phase_name(unsigned int phase)
{
	return phase < LATENCY_PHASES ? phase_names[phase] : "?";
}

void latency_summarize(const struct brig_latency_hist *h,
		       struct latency_summary *s)
{
	memset(s, 0, sizeof(*s));
	s->samples = h->samples;
	s->missed = h->missed;
	if (!h->samples)
		return;
	s->min_ns = h->min_ns;
	s->max_ns = h->max_ns;
	s->avg_ns = h->sum_ns / (__s64)h->samples;
	s->p99_ns = latency_quantile(h, 0.99, &s->p99_open);
	s->p999_ns = latency_quantile(h, 0.999, &s->p999_open);
}

static double per_second(long long n, double seconds)
{
	return seconds > 0 ? (double)n / seconds : 0;
}

/* "cpuid 3, pio 1" for the reasons with a count, "none" without. */
static void print_exit_list(FILE *f, const long long *exits)
{
	int any = 0;

	for (unsigned int r = 1; r < BRIG_EXIT_COUNT; r++) {
		if (!exits[r])
			continue;
		fprintf(f, "%s%s %lld", any ? ", " : "", brig_exit_name(r),
			exits[r]);
		any = 1;
	}
	if (!any)
		fprintf(f, "none");
}

void latency_write_text(FILE *f, const struct latency_result *r)
{
	struct latency_summary s;

	latency_summarize(&r->hist, &s);
	fprintf(f,
		"cell %s, load %s, period %llu us, %s timer (asked: %s), %.1f s measured%s\n",
		r->cell, r->load, r->period_us, timer_name(&r->hist), r->mode,
		r->seconds, r->interrupted ? " (interrupted)" : "");
	fprintf(f,
		"latency (ns, the cell's clock): min %lld, avg %lld, p99 %s%lld, p99.9 %s%lld, max %lld\n",
		s.min_ns, s.avg_ns, s.p99_open ? "" : "< ", s.p99_ns,
		s.p999_open ? "" : "< ", s.p999_ns, s.max_ns);
	fprintf(f, "samples %llu, missed ticks %llu\n", s.samples, s.missed);
	fprintf(f, "cell exits over the run: %lld (", r->cell_exits[0]);
	print_exit_list(f, r->cell_exits);
	fprintf(f, "); before it, from the start: %lld (",
		r->cell_exits_before[0]);
	print_exit_list(f, r->cell_exits_before);
	fprintf(f, ")\n");
	fprintf(f,
		"root exits over the run: %lld, %.0f per second on %u CPU%s (",
		r->root_exits[0], per_second(r->root_exits[0], r->seconds),
		r->root_cpus, r->root_cpus == 1 ? "" : "s");
	print_exit_list(f, r->root_exits);
	fprintf(f, ")\n");
	fprintf(f, "cell start (ns, the root's clock):");
	for (unsigned int p = 0; p < LATENCY_PHASES; p++)
		fprintf(f, " %s %lld", phase_names[p], r->phase_ns[p]);
	fprintf(f, "\n");
}

static void json_exits(FILE *f, const char *key, const long long *exits)
{
	fprintf(f, "\"%s\": {", key);
	for (unsigned int e = 0; e < BRIG_EXIT_COUNT; e++)
		fprintf(f, "%s\"%s\": %lld", e ? ", " : "", brig_exit_name(e),
			exits[e]);
	fprintf(f, "}");
}

void latency_write_json(FILE *f, const struct latency_result *r)
{
	struct latency_summary s;

	latency_summarize(&r->hist, &s);
	fprintf(f, "{\"cell\": ");
	json_string(f, r->cell);
	fprintf(f, ", \"load\": ");
	json_string(f, r->load);
	fprintf(f, ", \"mode\": ");
	json_string(f, r->mode);
	fprintf(f, ", \"timer\": ");
	json_string(f, timer_name(&r->hist));
	fprintf(f,
		", \"period_us\": %llu, \"seconds\": %.3f, \"interrupted\": %s,\n",
		r->period_us, r->seconds, r->interrupted ? "true" : "false");
	fprintf(f,
		" \"latency_ns\": {\"samples\": %llu, \"missed\": %llu, \"min\": %lld, \"avg\": %lld, \"p99\": %lld, \"p99_open\": %s, \"p999\": %lld, \"p999_open\": %s, \"max\": %lld},\n",
		s.samples, s.missed, s.min_ns, s.avg_ns, s.p99_ns,
		s.p99_open ? "true" : "false", s.p999_ns,
		s.p999_open ? "true" : "false", s.max_ns);
	fprintf(f, " ");
	json_exits(f, "cell_exits", r->cell_exits);
	fprintf(f, ",\n ");
	json_exits(f, "cell_exits_before", r->cell_exits_before);
	fprintf(f, ",\n ");
	json_exits(f, "root_exits", r->root_exits);
	fprintf(f, ",\n \"root_cpus\": %u, \"root_exits_per_second\": %.1f,\n",
		r->root_cpus, per_second(r->root_exits[0], r->seconds));
	fprintf(f, " \"phase_ns\": {");
	for (unsigned int p = 0; p < LATENCY_PHASES; p++)
		fprintf(f, "%s\"%s\": %lld", p ? ", " : "", phase_names[p],
			r->phase_ns[p]);
	fprintf(f, "},\n \"buckets\": [");
	for (unsigned int b = 0, first = 1; b < BRIG_LATENCY_BUCKETS; b++) {
		if (!r->hist.count[b])
			continue;
		fprintf(f, "%s{\"below_ns\": %lld, \"count\": %llu}",
			first ? "" : ", ",
			(long long)brig_latency_bucket_limit(b),
			(unsigned long long)r->hist.count[b]);
		first = 0;
	}
	fprintf(f, "]}\n");
}

/* The lower bound of bucket b in ns. */
static long long bucket_low(unsigned int b)
{
	return b ? (long long)brig_latency_bucket_limit(b - 1) : 0;
}

void latency_write_csv(FILE *f, const struct brig_latency_hist *h)
{
	fprintf(f, "from_ns,below_ns,count\n");
	for (unsigned int b = 0; b < BRIG_LATENCY_BUCKETS; b++) {
		long long high = brig_latency_bucket_limit(b);

		if (high < 0)
			fprintf(f, "%lld,,%llu\n", bucket_low(b),
				(unsigned long long)h->count[b]);
		else
			fprintf(f, "%lld,%lld,%llu\n", bucket_low(b), high,
				(unsigned long long)h->count[b]);
	}
}

/*
 * The SVG chart: one bar per bucket, all buckets the same width (so the
 * axis is linear within each range of brig/latency.h and compressed from
 * one range to the next, as the bucket widths grow tenfold), heights on a
 * log scale of the count. Labels at the ranges' bounds.
 */
#define SVG_W 900
#define SVG_H 420
#define SVG_LEFT 70
#define SVG_RIGHT 20
#define SVG_TOP 50
#define SVG_BOTTOM 60

static double log10_of(unsigned long long n)
{
	double l = 0;

	/* Integer steps, then a linear tail: exact enough for a chart and
	 * free of libm in a static tool. */
	while (n >= 10) {
		n /= 10;
		l += 1;
	}
	return l + (n > 1 ? (double)(n - 1) / 9 : 0);
}

static void svg_axes(FILE *f, double top_decades)
{
	const int plot_h = SVG_H - SVG_TOP - SVG_BOTTOM;
	const int plot_w = SVG_W - SVG_LEFT - SVG_RIGHT;
	static const struct {
		unsigned int bucket;
		const char *label;
	} marks[] = { { 0, "0" },
		      { 40, "10 us" },
		      { 76, "100 us" },
		      { 112, "1 ms" },
		      { 148, "10 ms" } };

	fprintf(f,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
		SVG_LEFT, SVG_H - SVG_BOTTOM, SVG_W - SVG_RIGHT,
		SVG_H - SVG_BOTTOM);
	fprintf(f,
		"<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>\n",
		SVG_LEFT, SVG_TOP, SVG_LEFT, SVG_H - SVG_BOTTOM);
	for (unsigned int m = 0; m < sizeof(marks) / sizeof(marks[0]); m++) {
		int x = SVG_LEFT +
			(int)(marks[m].bucket * (unsigned int)plot_w /
			      BRIG_LATENCY_BUCKETS);

		fprintf(f,
			"<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">%s</text>\n",
			x, SVG_H - SVG_BOTTOM + 16, marks[m].label);
	}
	for (int d = 0; d <= (int)top_decades; d++) {
		int y = SVG_H - SVG_BOTTOM - (int)(d * plot_h / top_decades);

		fprintf(f,
			"<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">1e%d</text>\n",
			SVG_LEFT - 6, y + 4, d);
	}
	fprintf(f,
		"<text x=\"%d\" y=\"%d\" font-size=\"13\" text-anchor=\"middle\">timer interrupt lateness (the cell's clock)</text>\n",
		SVG_LEFT + plot_w / 2, SVG_H - 18);
	fprintf(f,
		"<text x=\"16\" y=\"%d\" font-size=\"13\" transform=\"rotate(-90 16 %d)\" text-anchor=\"middle\">samples (log scale)</text>\n",
		SVG_TOP + plot_h / 2, SVG_TOP + plot_h / 2);
}

/* Text for an SVG element: the characters XML gives a meaning escaped. */
static void svg_text(FILE *f, const char *s)
{
	for (; *s; s++)
		if (*s == '<')
			fputs("&lt;", f);
		else if (*s == '>')
			fputs("&gt;", f);
		else if (*s == '&')
			fputs("&amp;", f);
		else if ((unsigned char)*s >= 0x20)
			fputc(*s, f);
}

void latency_write_svg(FILE *f, const struct latency_result *r)
{
	const int plot_h = SVG_H - SVG_TOP - SVG_BOTTOM;
	const double bar_w =
		(double)(SVG_W - SVG_LEFT - SVG_RIGHT) / BRIG_LATENCY_BUCKETS;
	struct latency_summary s;
	unsigned long long most = 1;
	double top;

	latency_summarize(&r->hist, &s);
	for (unsigned int b = 0; b < BRIG_LATENCY_BUCKETS; b++)
		if (r->hist.count[b] > most)
			most = r->hist.count[b];
	top = (double)(int)log10_of(most) + 1;
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	fprintf(f,
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">\n",
		SVG_W, SVG_H, SVG_W, SVG_H);
	fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
	fprintf(f,
		"<text x=\"%d\" y=\"22\" font-size=\"15\" text-anchor=\"middle\">",
		SVG_W / 2);
	fprintf(f, "cell ");
	svg_text(f, r->cell);
	fprintf(f, ", load ");
	svg_text(f, r->load);
	fprintf(f,
		": %llu samples, min %lld, avg %lld, p99 %s%lld, max %lld ns",
		s.samples, s.min_ns, s.avg_ns, s.p99_open ? "" : "&lt; ",
		s.p99_ns, s.max_ns);
	fprintf(f,
		"</text>\n<text x=\"%d\" y=\"40\" font-size=\"12\" text-anchor=\"middle\">cell exits over the run: %lld; times are the cell's clock (emulated time on an emulator)</text>\n",
		SVG_W / 2, r->cell_exits[0]);
	svg_axes(f, top);
	for (unsigned int b = 0; b < BRIG_LATENCY_BUCKETS; b++) {
		double h;

		if (!r->hist.count[b])
			continue;
		/* A bucket of 1 sample still shows: 1 is 1e0, drawn a sliver. */
		h = (log10_of(r->hist.count[b]) + 0.05) * plot_h / top;
		fprintf(f,
			"<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#3465a4\"><title>%lld..%lld ns: %llu</title></rect>\n",
			SVG_LEFT + b * bar_w, SVG_H - SVG_BOTTOM - h,
			bar_w > 1.5 ? bar_w - 0.5 : bar_w, h, bucket_low(b),
			(long long)brig_latency_bucket_limit(b),
			(unsigned long long)r->hist.count[b]);
	}
	fprintf(f, "</svg>\n");
}
