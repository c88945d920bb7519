/* SPDX-License-Identifier: GPL-2.0 */
/*
 * schema.h: the run-directory schema of record/schema.def, for C.
 *
 * From the definition this header declares
 *   UB_SCHEMA_VERSION                meta.json "schema_version"
 *   enum ub_emulation, ub_placement, ub_vm_type, ub_page_size,
 *   ub_trigger, ub_populate          the OWN value lists (UB_EMU_NONE, ...)
 *   enum ub_enum_id: UB_ENUM_shape, ... one per value list, for
 *                                    ub_name()/ub_value() and options
 *   enum ub_table_id: UB_TABLE_RUNS, ... one per file
 *   RUNS_run_id, TEARDOWN_status, ... one constant per column, which
 *                                    record/table.h's row setters take
 * and record/schema.c holds the descriptors: names by C value, the
 * schema order, the columns with their types.
 */
#ifndef UB_SCHEMA_H
#define UB_SCHEMA_H

#include <stddef.h>
#include <stdio.h>

#include "unmap_bench.h"

/* The two constants of the definition the uapi does not have. */
#define UB_PAGE_BYTES	4096		/* one 4K page */
/* Bytes of one 2M unit, from the one page count (uapi). */
#define UB_BYTES_2M	((unsigned long long)UB_PAGES_PER_2M * UB_PAGE_BYTES)

/* ---- generated from schema.def ---- */
#define SCHEMA_VERSION(n)	enum { UB_SCHEMA_VERSION = (n) };
#define CONSTANT(name, c)
#define ENUM(name, kind, ...)	UB_SCHEMA_ENUM_##kind(name, __VA_ARGS__)
#define UB_SCHEMA_ENUM_UAPI(name, ...)
#define UB_SCHEMA_ENUM_OWN(name, ...)	enum ub_##name { __VA_ARGS__ };
#define V(c, text)		c,
#define SUBSET(name, parent, c)
#define TABLE(id, file, row)
#define COL(id, name, type, en, flags, special, unit, doc)
#define TABLE_END(id)
#include "record/schema.def"
#undef SCHEMA_VERSION
#undef ENUM
#undef V
#undef SUBSET

#define SCHEMA_VERSION(n)
#define ENUM(name, kind, ...)	UB_ENUM_##name,
#define SUBSET(name, parent, c)	UB_ENUM_##name,
enum ub_enum_id {
	UB_ENUM_NONE = -1,
#include "record/schema.def"
	UB_ENUM_NR
};
#undef ENUM
#undef SUBSET
#undef TABLE

#define ENUM(name, kind, ...)
#define SUBSET(name, parent, c)
#define TABLE(id, file, row)	UB_TABLE_##id,
enum ub_table_id {
#include "record/schema.def"
	UB_TABLE_NR
};
#undef TABLE
#undef COL
#undef TABLE_END

/* Column constants: table id in the high bits, column index below. */
#define TABLE(id, file, row)	enum { id##__FIRST = (UB_TABLE_##id << 8) - 1,
#define COL(id, name, type, en, flags, special, unit, doc) id##_##name,
#define TABLE_END(id)		id##__END };
#include "record/schema.def"
#undef SCHEMA_VERSION
#undef CONSTANT
#undef ENUM
#undef UB_SCHEMA_ENUM_UAPI
#undef UB_SCHEMA_ENUM_OWN
#undef SUBSET
#undef TABLE
#undef COL
#undef TABLE_END
/* ---- end of the generated part ---- */

#define UB_COL_TABLE(col)	((unsigned)(col) >> 8)
#define UB_COL_INDEX(col)	((unsigned)(col) & 0xff)

enum ub_type {
	UB_T_TEXT, UB_T_INT, UB_T_UINT, UB_T_NUM, UB_T_UNUM, UB_T_BOOL,
	UB_T_ENUM, UB_T_INTLIST, UB_T_STRLIST,
};

#define UB_COL_0	0
#define UB_COL_EMPTY	1U		/* an empty cell means "no value" */

struct ub_enum_val {
	unsigned	c;		/* the value's C constant */
	const char	*text;
};

struct ub_enum_desc {
	const char	*name;
	const struct ub_enum_val *vals;	/* schema order (SUBSET: the parent's) */
	size_t		nvals;
	const char *const *names;	/* by C value, NULL = not a value */
	size_t		nnames;
	int		parent;		/* SUBSET: enum ub_enum_id, else -1 */
	unsigned	excluded;	/* SUBSET: the parent's value left out */
};

struct ub_col_desc {
	const char	*name;
	enum ub_type	type;
	int		en;		/* enum ub_enum_id or UB_ENUM_NONE */
	unsigned	flags;		/* UB_COL_EMPTY */
	const char	*special;	/* literal allowed besides the type, or NULL */
	const char	*unit;
	const char	*doc;
};

struct ub_table_desc {
	const char	*file;
	const char	*row;
	const struct ub_col_desc *cols;
	size_t		ncols;
};

struct ub_constant {
	const char	*name;
	unsigned long long value;
};

extern const struct ub_enum_desc ub_enums[UB_ENUM_NR];
extern const struct ub_table_desc ub_tables[UB_TABLE_NR];
extern const struct ub_constant ub_constants[];
extern const size_t ub_nr_constants;

/* Name of value V of enum E (a SUBSET refuses its excluded value), or
 * NULL when V is not one of its values. */
const char *ub_name(enum ub_enum_id e, unsigned v);
/* Same, "?" instead of NULL (for messages and listings). */
const char *ub_name_or(enum ub_enum_id e, unsigned v);
/* C value of NAME in enum E, or -1. */
int ub_value(enum ub_enum_id e, const char *name);
/* The descriptor of column COL (a RUNS_... constant), or NULL. */
const struct ub_col_desc *ub_col(int col);
/* Lower-case name of a type as plot/schema.json spells it. */
const char *ub_type_name(enum ub_type t);

/* `unmapbench schema`: the definition as plot/schema.json, and the
 * column sections of results/README.md. */
int ub_schema_json(FILE *f);
/* The markdown section NAME ("conventions" or a file name such as
 * "runs.csv"); -1 if there is none. */
int ub_schema_markdown(FILE *f, const char *name);

#endif
