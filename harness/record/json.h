/* SPDX-License-Identifier: GPL-2.0 */
/*
 * json.h: a streaming JSON writer (RFC 8259) for meta.json and --json.
 *
 * Usage:
 *	struct ub_json j;
 *	ub_json_init(&j, f, 1);		// 1 = pretty (2-space indent)
 *	ub_json_obj_begin(&j, NULL);	// top level: key NULL
 *	ub_json_str(&j, "name", "x");	// inside an object: key required
 *	ub_json_arr_begin(&j, "list");
 *	ub_json_int(&j, NULL, 3);	// inside an array: key NULL
 *	ub_json_arr_end(&j);
 *	ub_json_obj_end(&j);
 *	if (ub_json_finish(&j)) ...	// -1: unbalanced, misuse or I/O error
 *
 * Strings are escaped per RFC 8259 (", \, control characters as \uXXXX);
 * bytes that are not valid UTF-8 are replaced by U+FFFD so the output
 * always parses. A NULL string is written as null; NaN/Inf doubles as
 * null. Misuse (key missing in an object, key given in an array,
 * unbalanced end) sets the error flag rather than writing bad JSON.
 */
#ifndef UB_JSON_H
#define UB_JSON_H

#include <stdio.h>
#include <stdint.h>

#define UB_JSON_MAX_DEPTH 32

struct ub_json {
	FILE	*f;
	int	pretty;
	int	depth;
	int	err;
	char	kind[UB_JSON_MAX_DEPTH];	/* 'o' object, 'a' array */
	int	count[UB_JSON_MAX_DEPTH];	/* members written so far */
	int	top_done;
};

void ub_json_init(struct ub_json *j, FILE *f, int pretty);
void ub_json_obj_begin(struct ub_json *j, const char *key);
void ub_json_obj_end(struct ub_json *j);
void ub_json_arr_begin(struct ub_json *j, const char *key);
void ub_json_arr_end(struct ub_json *j);
void ub_json_str(struct ub_json *j, const char *key, const char *v);
void ub_json_strn(struct ub_json *j, const char *key, const char *v, size_t n);
void ub_json_int(struct ub_json *j, const char *key, long long v);
void ub_json_uint(struct ub_json *j, const char *key, unsigned long long v);
void ub_json_double(struct ub_json *j, const char *key, double v);
void ub_json_bool(struct ub_json *j, const char *key, int v);
void ub_json_null(struct ub_json *j, const char *key);
/* 0 when the document is complete and every write succeeded, else -1. */
int  ub_json_finish(struct ub_json *j);

/* Write S as a JSON string literal (with quotes) to F. */
void ub_json_write_string(FILE *f, const char *s, size_t n);

#endif
