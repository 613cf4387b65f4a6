// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the `brig` tool: the diagnostics list that every loader and
 * checker reports into (so that all problems are shown, and the unit tests
 * can look at them one by one), allocation that cannot fail quietly, and
 * whole-file I/O.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "brig-tool.h"

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (!p) {
		fprintf(stderr, "brig: out of memory\n");
		exit(BRIG_EXIT_FAILED);
	}
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fprintf(stderr, "brig: out of memory\n");
		exit(BRIG_EXIT_FAILED);
	}
	return p;
}

void *xrealloc(void *p, size_t size)
{
	p = realloc(p, size ? size : 1);
	if (!p) {
		fprintf(stderr, "brig: out of memory\n");
		exit(BRIG_EXIT_FAILED);
	}
	return p;
}

char *xstrdup(const char *s)
{
	return s ? strcpy(xmalloc(strlen(s) + 1), s) : NULL;
}

static char *xvasprintf(const char *fmt, va_list ap)
{
	va_list ap2;
	char *s;
	int len;

	va_copy(ap2, ap);
	len = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	s = xmalloc((size_t)len + 1);
	vsnprintf(s, (size_t)len + 1, fmt, ap);
	return s;
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

void diag_add(struct diags *d, enum brig_check_severity sev, const char *file,
	      const char *path, const char *fmt, ...)
{
	struct diag *e;
	va_list ap;

	if (d->n == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->v = xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	e = &d->v[d->n++];
	e->severity = sev;
	e->file = xstrdup(file);
	e->path = xstrdup(path);
	va_start(ap, fmt);
	e->msg = xvasprintf(fmt, ap);
	va_end(ap);
	if (sev == BRIG_CHECK_ERROR)
		d->errors++;
	else
		d->warnings++;
}

/* "FILE: PATH: error: MSG", the shape editors and CI logs understand. */
void diags_print(const struct diags *d, FILE *out)
{
	const struct diag *e;
	size_t i;

	for (i = 0; i < d->n; i++) {
		e = &d->v[i];
		if (e->file)
			fprintf(out, "%s: ", e->file);
		if (e->path)
			fprintf(out, "%s: ", e->path);
		fprintf(out, "%s: %s\n",
			e->severity == BRIG_CHECK_ERROR ? "error" : "warning",
			e->msg);
	}
}

void diags_free(struct diags *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].path);
		free(d->v[i].msg);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

void *read_file(const char *path, size_t *size, struct diags *d)
{
	size_t cap = 4096, len = 0, got;
	char *data;
	FILE *f;

	f = fopen(path, "rb");
	if (!f) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL, "cannot open: %s",
			 strerror(errno));
		return NULL;
	}
	data = xmalloc(cap);
	while ((got = fread(data + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap)
			data = xrealloc(data, cap *= 2);
	}
	if (ferror(f)) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL, "cannot read: %s",
			 strerror(errno));
		free(data);
		data = NULL;
	}
	fclose(f);
	*size = len;
	return data;
}

int write_file(const char *path, const void *data, size_t size, struct diags *d)
{
	FILE *f = fopen(path, "wb");
	int ok;

	if (!f) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL, "cannot create: %s",
			 strerror(errno));
		return -1;
	}
	ok = fwrite(data, 1, size, f) == size;
	ok = fclose(f) == 0 && ok;
	if (!ok) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL, "cannot write: %s",
			 strerror(errno));
		unlink(path); /* never leave half a blob behind */
		return -1;
	}
	return 0;
}
