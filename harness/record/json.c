// SPDX-License-Identifier: GPL-2.0
/* json.c: streaming JSON writer, see json.h. */
#include <math.h>
#include <string.h>

#include "record/json.h"

void ub_json_init(struct ub_json *j, FILE *f, int pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
}

/* Length of the valid UTF-8 sequence at s (max n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len, i;
	unsigned cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		len = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		len = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		len = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

void ub_json_write_string(FILE *f, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0;

	fputc('"', f);
	while (i < n) {
		unsigned char c = s[i];
		size_t l;

		switch (c) {
		case '"':  fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		case '\b': fputs("\\b", f); i++; continue;
		case '\f': fputs("\\f", f); i++; continue;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		l = utf8_len(s + i, n - i);
		if (!l) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(s + i, 1, l, f);
		i += l;
	}
	fputc('"', f);
}

static void indent(struct ub_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth; i++)
		fputs("  ", j->f);
}

/* Separator + key for a new member; 0 if OK to write the value. */
static int member(struct ub_json *j, const char *key)
{
	if (j->err)
		return -1;
	if (j->depth == 0) {
		if (key || j->top_done) {
			j->err = 1;
			return -1;
		}
		return 0;
	}
	if (j->kind[j->depth - 1] == 'o' ? !key : !!key) {
		j->err = 1;
		return -1;
	}
	if (j->count[j->depth - 1]++)
		fputc(',', j->f);
	indent(j);
	if (key) {
		ub_json_write_string(j->f, key, strlen(key));
		fputs(j->pretty ? ": " : ":", j->f);
	}
	return 0;
}

static void scalar_done(struct ub_json *j)
{
	if (j->depth == 0)
		j->top_done = 1;
}

static void begin(struct ub_json *j, const char *key, char kind)
{
	if (member(j, key))
		return;
	if (j->depth >= UB_JSON_MAX_DEPTH) {
		j->err = 1;
		return;
	}
	fputc(kind == 'o' ? '{' : '[', j->f);
	j->kind[j->depth] = kind;
	j->count[j->depth] = 0;
	j->depth++;
}

static void end(struct ub_json *j, char kind)
{
	if (j->err)
		return;
	if (j->depth == 0 || j->kind[j->depth - 1] != kind) {
		j->err = 1;
		return;
	}
	j->depth--;
	if (j->count[j->depth])
		indent(j);
	fputc(kind == 'o' ? '}' : ']', j->f);
	scalar_done(j);
}

void ub_json_obj_begin(struct ub_json *j, const char *key) { begin(j, key, 'o'); }
void ub_json_obj_end(struct ub_json *j) { end(j, 'o'); }
void ub_json_arr_begin(struct ub_json *j, const char *key) { begin(j, key, 'a'); }
void ub_json_arr_end(struct ub_json *j) { end(j, 'a'); }

void ub_json_strn(struct ub_json *j, const char *key, const char *v, size_t n)
{
	if (member(j, key))
		return;
	if (v)
		ub_json_write_string(j->f, v, n);
	else
		fputs("null", j->f);
	scalar_done(j);
}

void ub_json_str(struct ub_json *j, const char *key, const char *v)
{
	ub_json_strn(j, key, v, v ? strlen(v) : 0);
}

void ub_json_int(struct ub_json *j, const char *key, long long v)
{
	if (member(j, key))
		return;
	fprintf(j->f, "%lld", v);
	scalar_done(j);
}

void ub_json_uint(struct ub_json *j, const char *key, unsigned long long v)
{
	if (member(j, key))
		return;
	fprintf(j->f, "%llu", v);
	scalar_done(j);
}

void ub_json_double(struct ub_json *j, const char *key, double v)
{
	if (member(j, key))
		return;
	if (isfinite(v))
		fprintf(j->f, "%.17g", v);
	else
		fputs("null", j->f);
	scalar_done(j);
}

void ub_json_bool(struct ub_json *j, const char *key, int v)
{
	if (member(j, key))
		return;
	fputs(v ? "true" : "false", j->f);
	scalar_done(j);
}

void ub_json_null(struct ub_json *j, const char *key)
{
	if (member(j, key))
		return;
	fputs("null", j->f);
	scalar_done(j);
}

int ub_json_finish(struct ub_json *j)
{
	if (j->err || j->depth || !j->top_done)
		return -1;
	if (j->pretty)
		fputc('\n', j->f);
	if (fflush(j->f) || ferror(j->f))
		return -1;
	return 0;
}
