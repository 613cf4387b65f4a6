// SPDX-License-Identifier: GPL-2.0
/*
 * Schema rules for brig's device-tree descriptions: property types, unknown
 * properties and nodes, and typed getters on top of libfdt.
 *
 * Device-tree blobs carry no types, only byte strings; the type of each
 * property is what the schema (config-dts.c) declares for it, and a value
 * of the wrong length is an error rather than something to guess about.
 * 64-bit values may be written as one cell when they fit, because that is
 * what people type (size = <0x100000>), or as two cells / "/bits/ 64".
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>

#include "fdt-schema.h"

#define PATH_MAX_LEN 512

char *dt_path(const struct dt *dt, int node)
{
	char buf[PATH_MAX_LEN];

	if (fdt_get_path(dt->fdt, node, buf, sizeof(buf)) < 0)
		strcpy(buf, "<unknown node>");
	return xstrdup(buf);
}

void dt_error(const struct dt *dt, int node, const char *fmt, ...)
{
	char *path = dt_path(dt, node);
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	diag_add(dt->d, BRIG_CHECK_ERROR, dt->file, path, "%s", msg);
	free(path);
}

/* A list of non-empty NUL-terminated strings filling len bytes exactly. */
static int strings_ok(const char *v, int len, int max_count)
{
	int i, count = 0;

	if (len <= 0 || v[len - 1] != '\0')
		return 0;
	for (i = 0; i < len; i++) {
		if (v[i] == '\0') {
			if (i == 0 || v[i - 1] == '\0')
				return 0; /* an empty string */
			count++;
		}
	}
	return count <= max_count;
}

static int prop_type_ok(enum prop_type type, const char *v, int len)
{
	switch (type) {
	case PROP_FLAG:
		return len == 0;
	case PROP_U32:
		return len == 4;
	case PROP_U64:
		return len == 4 || len == 8;
	case PROP_STRING:
		return strings_ok(v, len, 1);
	case PROP_STRINGS:
		return strings_ok(v, len, len);
	case PROP_U32_LIST:
		return len > 0 && len % 4 == 0;
	}
	return 0;
}

static const char *prop_type_text(enum prop_type type)
{
	switch (type) {
	case PROP_FLAG:
		return "must have no value (it is a flag)";
	case PROP_U32:
		return "must be one 32-bit number, like <0x2f8>";
	case PROP_U64:
		return "must be one number of 32 or 64 bits, like <0x100000> or /bits/ 64 <0x100000>";
	case PROP_STRING:
		return "must be one non-empty string";
	case PROP_STRINGS:
		return "must be a list of non-empty strings";
	case PROP_U32_LIST:
		return "must be a non-empty list of 32-bit numbers";
	}
	return "has an unknown type";
}

static const struct prop_spec *find_spec(const struct prop_spec *props,
					 const char *name)
{
	for (; props->name; props++)
		if (!strcmp(props->name, name))
			return props;
	return NULL;
}

/* phandles appear when a node is referenced by label: not ours to judge. */
static int prop_ignored(const char *name)
{
	return !strcmp(name, "phandle") || !strcmp(name, "linux,phandle");
}

static unsigned int check_props(const struct dt *dt, int node,
				const struct prop_spec *props)
{
	const struct prop_spec *spec;
	unsigned int errors = 0;
	const char *name, *v;
	int off, len;

	fdt_for_each_property_offset(off, dt->fdt, node) {
		v = fdt_getprop_by_offset(dt->fdt, off, &name, &len);
		if (!v || prop_ignored(name))
			continue;
		spec = find_spec(props, name);
		if (!spec) {
			dt_error(dt, node, "unknown property \"%s\"", name);
			errors++;
		} else if (!prop_type_ok(spec->type, v, len)) {
			dt_error(dt, node, "property \"%s\" %s", name,
				 prop_type_text(spec->type));
			errors++;
		}
	}
	for (spec = props; spec->name; spec++) {
		if (spec->required &&
		    !fdt_getprop(dt->fdt, node, spec->name, NULL)) {
			dt_error(dt, node, "missing property \"%s\"",
				 spec->name);
			errors++;
		}
	}
	return errors;
}

static int name_listed(const char *const *names, const char *name)
{
	for (; *names; names++)
		if (!strcmp(*names, name))
			return 1;
	return 0;
}

unsigned int dt_check_node(const struct dt *dt, int node,
			   const struct prop_spec *props,
			   const char *const *children)
{
	unsigned int errors = check_props(dt, node, props);
	const char *name;
	int child;

	if (!children)
		return errors;
	fdt_for_each_subnode(child, dt->fdt, node) {
		name = fdt_get_name(dt->fdt, child, NULL);
		if (!name_listed(children, name)) {
			dt_error(dt, child, "unknown node \"%s\"", name);
			errors++;
		}
	}
	return errors;
}

int dt_child(const struct dt *dt, int node, const char *name)
{
	int child = fdt_subnode_offset(dt->fdt, node, name);

	return child < 0 ? -1 : child;
}

int dt_has(const struct dt *dt, int node, const char *name)
{
	return fdt_getprop(dt->fdt, node, name, NULL) != NULL;
}

__u32 dt_u32(const struct dt *dt, int node, const char *name, __u32 def)
{
	const fdt32_t *v;
	int len;

	v = fdt_getprop(dt->fdt, node, name, &len);
	return v && len == 4 ? fdt32_to_cpu(*v) : def;
}

__u64 dt_u64(const struct dt *dt, int node, const char *name, __u64 def)
{
	const fdt32_t *v;
	int len;

	v = fdt_getprop(dt->fdt, node, name, &len);
	if (v && len == 4)
		return fdt32_to_cpu(v[0]);
	if (v && len == 8)
		return (__u64)fdt32_to_cpu(v[0]) << 32 | fdt32_to_cpu(v[1]);
	return def;
}

const char *dt_string(const struct dt *dt, int node, const char *name)
{
	const char *v;
	int len;

	v = fdt_getprop(dt->fdt, node, name, &len);
	return v && strings_ok(v, len, 1) ? v : NULL;
}

unsigned int dt_u32_list(const struct dt *dt, int node, const char *name,
			 __u32 **cells)
{
	const fdt32_t *v;
	int len, i;

	*cells = NULL;
	v = fdt_getprop(dt->fdt, node, name, &len);
	if (!v || len <= 0 || len % 4)
		return 0;
	*cells = xcalloc((size_t)len / 4, sizeof(**cells));
	for (i = 0; i < len / 4; i++)
		(*cells)[i] = fdt32_to_cpu(v[i]);
	return (unsigned int)len / 4;
}

static char *names_text(const struct dt_name *names)
{
	size_t len = 1;
	const struct dt_name *n;
	char *s;

	for (n = names; n->name; n++)
		len += strlen(n->name) + 2;
	s = xcalloc(1, len);
	for (n = names; n->name; n++) {
		if (n != names)
			strcat(s, ", ");
		strcat(s, n->name);
	}
	return s;
}

static int lookup_name(const struct dt *dt, int node, const char *prop,
		       const char *value, const struct dt_name *names,
		       __u32 *out)
{
	const struct dt_name *n;
	char *known;

	for (n = names; n->name; n++) {
		if (!strcmp(n->name, value)) {
			*out = n->value;
			return 0;
		}
	}
	known = names_text(names);
	dt_error(dt, node, "property \"%s\": unknown value \"%s\" (known: %s)",
		 prop, value, known);
	free(known);
	return -1;
}

int dt_enum(const struct dt *dt, int node, const char *name,
	    const struct dt_name *names, __u32 *value)
{
	const char *v = dt_string(dt, node, name);

	if (!v)
		return -1;
	return lookup_name(dt, node, name, v, names, value);
}

__u32 dt_flags(const struct dt *dt, int node, const char *name,
	       const struct dt_name *names)
{
	__u32 flags = 0, bit;
	const char *v, *end;
	int len;

	v = fdt_getprop(dt->fdt, node, name, &len);
	if (!v || !strings_ok(v, len, len))
		return 0;
	for (end = v + len; v < end; v += strlen(v) + 1)
		if (!lookup_name(dt, node, name, v, names, &bit))
			flags |= bit;
	return flags;
}
