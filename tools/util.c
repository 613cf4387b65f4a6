// SPDX-License-Identifier: GPL-2.0
/*
 * Helpers of the `brig` tool: the diagnostics list that every loader and
 * checker reports into (so that all problems are shown, and the unit tests
 * can look at them one by one), allocation that cannot fail quietly, and
 * whole-file I/O.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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

static const char *file_kind(mode_t mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISSOCK(mode))
		return "a socket";
	return "not a regular file";
}

static void *too_large(const char *path, unsigned long long size, size_t max,
		       const char *what, struct diags *d)
{
	diag_add(d, BRIG_CHECK_ERROR, path, NULL,
		 "%llu bytes, larger than %s may be (%zu bytes)", size, what,
		 max);
	return NULL;
}

/*
 * Opens without blocking (a FIFO would wait for a writer) and looks at what
 * the file is before reading a byte of it.
 */
static int open_regular(const char *path, size_t max, const char *what,
			struct stat *st, struct diags *d)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL, "cannot open: %s",
			 strerror(errno));
		return -1;
	}
	if (fstat(fd, st)) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL, "cannot stat: %s",
			 strerror(errno));
	} else if (!S_ISREG(st->st_mode)) {
		diag_add(d, BRIG_CHECK_ERROR, path, NULL,
			 "%s, not a regular file", file_kind(st->st_mode));
	} else if ((unsigned long long)st->st_size > max) {
		too_large(path, (unsigned long long)st->st_size, max, what, d);
	} else {
		return fd;
	}
	close(fd);
	return -1;
}

void *read_file(const char *path, size_t max, const char *what, size_t *size,
		struct diags *d)
{
	size_t cap, len = 0;
	struct stat st;
	char *data;
	ssize_t got = 0;
	int fd;

	*size = 0;
	fd = open_regular(path, max, what, &st, d);
	if (fd < 0)
		return NULL;
	/*
	 * st_size may be wrong (procfs says 0) or change while we read: read
	 * up to max + 1 bytes whatever it says, and refuse the last one.
	 */
	cap = (size_t)st.st_size + 1;
	data = xmalloc(cap);
	for (;;) {
		if (len == cap) {
			cap = cap > max / 2 ? max + 1 : 2 * cap;
			data = xrealloc(data, cap);
		}
		got = read(fd, data + len, cap - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
		if (len > max)
			break;
	}
	if (got < 0)
		diag_add(d, BRIG_CHECK_ERROR, path, NULL, "cannot read: %s",
			 strerror(errno));
	else if (len > max)
		too_large(path, (unsigned long long)len, max, what, d);
	close(fd);
	if (got < 0 || len > max) {
		free(data);
		return NULL;
	}
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

void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++)
		if (*s == '"' || *s == '\\')
			fprintf(f, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			fprintf(f, "\\u%04x", *s);
		else
			fputc(*s, f);
	fputc('"', f);
}
