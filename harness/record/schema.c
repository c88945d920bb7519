// SPDX-License-Identifier: GPL-2.0
/*
 * schema.c: the descriptors of record/schema.def (value names, tables,
 * columns) and the two documents made from them: plot/schema.json
 * (`unmapbench schema --json`) and the column sections of
 * results/README.md (`unmapbench schema --markdown`).
 */
#include <ctype.h>
#include <string.h>

#include "record/json.h"
#include "record/schema.h"
#include "record/util.h"

/* ---- generated from schema.def ---- */
#define SCHEMA_VERSION(n)
#define CONSTANT(name, c)
#define SUBSET(name, parent, c)
#define TABLE(id, file, row)
#define COL(id, name, type, en, flags, special, unit, doc)
#define TABLE_END(id)

/* Values in schema order, and names by C value. */
#define V(c, text)		{ (c), (text) },
#define ENUM(name, kind, ...) \
	static const struct ub_enum_val vals_##name[] = { __VA_ARGS__ };
#include "record/schema.def"
#undef V
#undef ENUM
#define V(c, text)		[(c)] = (text),
#define ENUM(name, kind, ...) \
	static const char *const names_##name[] = { __VA_ARGS__ };
#include "record/schema.def"
#undef V
#undef ENUM
#undef SUBSET

#define ENUM(name, kind, ...)						\
	[UB_ENUM_##name] = { #name, vals_##name, UB_ARRAY_SIZE(vals_##name), \
			     names_##name, UB_ARRAY_SIZE(names_##name), -1, 0 },
#define SUBSET(name, parent, c)						\
	[UB_ENUM_##name] = { #name, vals_##parent, UB_ARRAY_SIZE(vals_##parent), \
			     names_##parent, UB_ARRAY_SIZE(names_##parent), \
			     UB_ENUM_##parent, (c) },
const struct ub_enum_desc ub_enums[UB_ENUM_NR] = {
#include "record/schema.def"
};
#undef ENUM
#undef SUBSET
#undef CONSTANT

#define ENUM(name, kind, ...)
#define SUBSET(name, parent, c)
#define CONSTANT(name, c)	{ #name, (c) },
const struct ub_constant ub_constants[] = {
#include "record/schema.def"
};
const size_t ub_nr_constants = UB_ARRAY_SIZE(ub_constants);
#undef CONSTANT
#undef COL
#undef TABLE

#define CONSTANT(name, c)
#define TABLE(id, file, row)	static const struct ub_col_desc cols_##id[] = {
#define COL(id, name, type, en, flags, special, unit, doc) \
	{ #name, UB_T_##type, UB_ENUM_##en, UB_COL_##flags, special, unit, doc },
#undef TABLE_END
#define TABLE_END(id)		};
#include "record/schema.def"
#undef TABLE
#undef COL
#undef TABLE_END

#define TABLE(id, file, row) \
	[UB_TABLE_##id] = { file, row, cols_##id, UB_ARRAY_SIZE(cols_##id) },
#define COL(id, name, type, en, flags, special, unit, doc)
#define TABLE_END(id)
const struct ub_table_desc ub_tables[UB_TABLE_NR] = {
#include "record/schema.def"
};
#undef SCHEMA_VERSION
#undef CONSTANT
#undef ENUM
#undef SUBSET
#undef TABLE
#undef COL
#undef TABLE_END
/* ---- end of the generated part ---- */

const char *ub_name(enum ub_enum_id e, unsigned v)
{
	const struct ub_enum_desc *d;

	if (e < 0 || e >= UB_ENUM_NR)
		return NULL;
	d = &ub_enums[e];
	if (d->parent >= 0 && v == d->excluded)
		return NULL;
	return v < d->nnames ? d->names[v] : NULL;
}

const char *ub_name_or(enum ub_enum_id e, unsigned v)
{
	const char *s = ub_name(e, v);

	return s ? s : "?";
}

int ub_value(enum ub_enum_id e, const char *name)
{
	const struct ub_enum_desc *d;

	if (e < 0 || e >= UB_ENUM_NR || !name)
		return -1;
	d = &ub_enums[e];
	for (size_t i = 0; i < d->nvals; i++)
		if (!strcmp(d->vals[i].text, name) &&
		    (d->parent < 0 || d->vals[i].c != d->excluded))
			return (int)d->vals[i].c;
	return -1;
}

const struct ub_col_desc *ub_col(int col)
{
	unsigned t = UB_COL_TABLE(col), i = UB_COL_INDEX(col);

	if (col < 0 || t >= UB_TABLE_NR || i >= ub_tables[t].ncols)
		return NULL;
	return &ub_tables[t].cols[i];
}

const char *ub_type_name(enum ub_type t)
{
	static const char *const n[] = {
		[UB_T_TEXT] = "text", [UB_T_INT] = "int", [UB_T_UINT] = "uint",
		[UB_T_NUM] = "num", [UB_T_UNUM] = "unum", [UB_T_BOOL] = "bool",
		[UB_T_ENUM] = "enum", [UB_T_INTLIST] = "intlist",
		[UB_T_STRLIST] = "strlist",
	};

	return (unsigned)t < UB_ARRAY_SIZE(n) ? n[t] : "?";
}

/* ---- plot/schema.json ---- */

static void jstr(FILE *f, const char *s)
{
	ub_json_write_string(f, s, strlen(s));
}

/* "key": "value" with the separator before it. */
static void jkv(FILE *f, const char *sep, const char *k, const char *v)
{
	fputs(sep, f);
	jstr(f, k);
	fputs(": ", f);
	jstr(f, v);
}

static void json_enums(FILE *f)
{
	fputs(" \"enums\": {\n", f);
	for (int e = 0; e < UB_ENUM_NR; e++) {
		const struct ub_enum_desc *d = &ub_enums[e];
		int first = 1;

		fputs("  ", f);
		jstr(f, d->name);
		fputs(": [", f);
		for (size_t i = 0; i < d->nvals; i++) {
			if (d->parent >= 0 && d->vals[i].c == d->excluded)
				continue;
			fputs(first ? "" : ", ", f);
			jstr(f, d->vals[i].text);
			first = 0;
		}
		fputs(e + 1 < UB_ENUM_NR ? "],\n" : "]\n", f);
	}
	fputs(" },\n", f);
}

static void json_column(FILE *f, const struct ub_col_desc *c, int last)
{
	jkv(f, "   {", "name", c->name);
	jkv(f, ", ", "type", ub_type_name(c->type));
	if (c->en >= 0)
		jkv(f, ", ", "values", ub_enums[c->en].name);
	if (c->flags & UB_COL_EMPTY)
		fputs(", \"empty\": true", f);
	if (c->special) {
		fputs(", \"special\": [", f);
		jstr(f, c->special);
		fputs("]", f);
	}
	if (c->unit)
		jkv(f, ", ", "unit", c->unit);
	jkv(f, ", ", "doc", c->doc);
	fputs(last ? "}\n" : "},\n", f);
}

/* "@timer" as data: each timer's unit (the unit enum shares its values). */
static void json_timer_units(FILE *f)
{
	const struct ub_enum_desc *t = &ub_enums[UB_ENUM_timer];

	fputs(", \"timer_units\": {", f);
	for (size_t i = 0; i < t->nvals; i++) {
		fputs(i ? ", " : "", f);
		jstr(f, t->vals[i].text);
		fputs(": ", f);
		jstr(f, ub_name_or(UB_ENUM_unit, t->vals[i].c));
	}
	fputc('}', f);
}

int ub_schema_json(FILE *f)
{
	fputs("{\n", f);
	jkv(f, " ", "generated_by", "unmapbench schema --json (from the "
	    "harness's schema definition): do not edit");
	fprintf(f, ",\n \"schema_version\": %d,\n \"constants\": {",
		UB_SCHEMA_VERSION);
	for (size_t i = 0; i < ub_nr_constants; i++) {
		fputs(i ? ", " : "", f);
		jstr(f, ub_constants[i].name);
		fprintf(f, ": %llu", ub_constants[i].value);
	}
	json_timer_units(f);
	fputs("},\n", f);
	json_enums(f);
	fputs(" \"tables\": [\n", f);
	for (int t = 0; t < UB_TABLE_NR; t++) {
		const struct ub_table_desc *d = &ub_tables[t];

		jkv(f, "  {", "file", d->file);
		jkv(f, ", ", "row", d->row);
		fputs(", \"columns\": [\n", f);
		for (size_t i = 0; i < d->ncols; i++)
			json_column(f, &d->cols[i], i + 1 == d->ncols);
		fputs(t + 1 < UB_TABLE_NR ? "  ]},\n" : "  ]}\n", f);
	}
	fputs(" ]\n}\n", f);
	return ferror(f) ? -1 : 0;
}

/* ---- results/README.md ---- */

static void md_values(FILE *f, int en)
{
	const struct ub_enum_desc *d = &ub_enums[en];
	int first = 1;

	for (size_t i = 0; i < d->nvals; i++) {
		if (d->parent >= 0 && d->vals[i].c == d->excluded)
			continue;
		fprintf(f, "%s`%s`", first ? "" : ", ", d->vals[i].text);
		first = 0;
	}
}

static void md_unit(FILE *f, const char *unit)
{
	if (!strcmp(unit, "@unit"))
		fputs("the row's `unit`", f);
	else if (!strcmp(unit, "@timer"))
		fputs("the `timer`'s: cycles (tsc), ns (ktime)", f);
	else
		fputs(unit, f);
}

static void md_table(FILE *f, const struct ub_table_desc *d)
{
	fprintf(f, "%c%s.\n\n", toupper((unsigned char)d->row[0]), d->row + 1);
	fputs("| column | type | unit | meaning |\n| --- | --- | --- | --- |\n", f);
	for (size_t i = 0; i < d->ncols; i++) {
		const struct ub_col_desc *c = &d->cols[i];

		fprintf(f, "| `%s` | ", c->name);
		if (c->en >= 0)
			md_values(f, c->en);
		else
			fputs(ub_type_name(c->type), f);
		if (c->special)
			fprintf(f, " or `%s`", c->special);
		if (c->flags & UB_COL_EMPTY)
			fputs(" or empty", f);
		fputs(" |", f);
		if (c->unit) {
			fputc(' ', f);
			md_unit(f, c->unit);
		}
		fprintf(f, " | %s |\n", c->doc);
	}
}

static void md_conventions(FILE *f)
{
	fprintf(f, "Schema version %d (`meta.json` `schema_version`; a reader "
		"refuses a version it does not know). Constants:", UB_SCHEMA_VERSION);
	for (size_t i = 0; i < ub_nr_constants; i++)
		fprintf(f, "%s `%s` = %llu", i ? "," : "", ub_constants[i].name,
			ub_constants[i].value);
	fputs(".\n\nTypes: `text` any string; `int` a decimal integer; "
	      "`uint` one >= 0; `num` a finite number; `unum` one >= 0; "
	      "`bool` 0 or 1; `intlist`, `strlist` `;`-separated (an empty "
	      "cell is an empty list); a list of names (`a`, `b`) is the "
	      "values allowed. An empty cell is an error unless the type is "
	      "text or a list, or the column says \"or empty\" (then it means "
	      "\"no value\", never a stand-in 0).\n", f);
}

int ub_schema_markdown(FILE *f, const char *name)
{
	if (!strcmp(name, "conventions")) {
		md_conventions(f);
		return 0;
	}
	for (int t = 0; t < UB_TABLE_NR; t++)
		if (!strcmp(name, ub_tables[t].file)) {
			md_table(f, &ub_tables[t]);
			return 0;
		}
	return -1;
}
