/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Typed access to a device tree, with the schema rules of brig descriptions
 * built in: every property has one declared type, unknown properties and
 * nodes are errors, and every error names the node path and the property.
 *
 * A node is first checked against its list of known properties with
 * dt_check_node(); the getters then read values and fall back to a default
 * for properties that failed that check, so nothing is reported twice.
 */
#ifndef BRIG_FDT_SCHEMA_H
#define BRIG_FDT_SCHEMA_H

#include <brig/types.h>

#include "brig-tool.h"

enum prop_type {
	PROP_FLAG, /* present or not, no value */
	PROP_U32, /* one cell */
	PROP_U64, /* one or two cells (or /bits/ 64) */
	PROP_STRING, /* one non-empty string */
	PROP_STRINGS, /* one or more non-empty strings */
	PROP_U32_LIST, /* one or more cells */
};

struct prop_spec {
	const char *name;
	enum prop_type type;
	int required;
};

/* A string property's possible values and what each stands for. */
struct dt_name {
	const char *name;
	__u32 value;
};

struct dt {
	const void *fdt;
	const char *file;
	struct diags *d;
};

/* The node's full path; the caller frees it. */
char *dt_path(const struct dt *dt, int node);
void dt_error(const struct dt *dt, int node, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * Checks that node has only the given properties, of their types, and the
 * required ones, and only children named in children (NULL-terminated;
 * children == NULL allows any name). Returns the number of errors.
 */
unsigned int dt_check_node(const struct dt *dt, int node,
			   const struct prop_spec *props,
			   const char *const *children);

/* A child by its exact name, or -1. */
int dt_child(const struct dt *dt, int node, const char *name);

int dt_has(const struct dt *dt, int node, const char *name);
__u32 dt_u32(const struct dt *dt, int node, const char *name, __u32 def);
__u64 dt_u64(const struct dt *dt, int node, const char *name, __u64 def);
const char *dt_string(const struct dt *dt, int node, const char *name);
/* Returns the number of cells read into *cells (malloc'd), 0 if none. */
unsigned int dt_u32_list(const struct dt *dt, int node, const char *name,
			 __u32 **cells);
/* A PROP_STRING looked up in names; reports unknown values. */
int dt_enum(const struct dt *dt, int node, const char *name,
	    const struct dt_name *names, __u32 *value);
/* A PROP_STRINGS whose values are or'ed together; reports unknown ones. */
__u32 dt_flags(const struct dt *dt, int node, const char *name,
	       const struct dt_name *names);

#endif /* BRIG_FDT_SCHEMA_H */
