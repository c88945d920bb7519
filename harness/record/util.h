/* SPDX-License-Identifier: GPL-2.0 */
/* util.h: small helpers shared by every part of the harness. */
#ifndef UB_UTIL_H
#define UB_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define UB_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

void *ub_xmalloc(size_t n);		/* abort with a message on OOM */
void *ub_xcalloc(size_t n, size_t sz);
void *ub_xrealloc(void *p, size_t n);
char *ub_xstrdup(const char *s);
char *ub_xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copy with truncation, always NUL-terminated; returns strlen(src). */
size_t ub_strlcpy(char *dst, const char *src, size_t n);

/*
 * Read a whole (small, e.g. /proc or /sys) file into a malloc'ed,
 * NUL-terminated buffer; trailing newlines are stripped when strip != 0.
 * NULL (errno set) when unreadable.
 */
char *ub_read_file(const char *path, int strip);
/* The same, with its length in *LEN (the file may hold NUL bytes). */
char *ub_read_file_len(const char *path, int strip, size_t *len);
/* Same for ROOT + PATH (ROOT may be NULL/""/"/": the real system). */
char *ub_read_rooted(const char *root, const char *path, int strip);
/* ROOT + PATH into buf (no I/O). */
const char *ub_rooted(char *buf, size_t n, const char *root, const char *path);

/* Monotonic and wall clocks. */
uint64_t ub_now_ns(void);			/* CLOCK_MONOTONIC */
/* "YYYYmmddTHHMMSSZ" (compact) or "YYYY-mm-ddTHH:MM:SSZ" (iso). */
void ub_utc_compact(char *buf, size_t n, long t);
void ub_utc_iso(char *buf, size_t n, long t);

/* Human-readable size ("1.5 GiB") and duration ("3m 12s"). */
void ub_fmt_bytes(char *buf, size_t n, double bytes);
void ub_fmt_duration(char *buf, size_t n, double seconds);

/* mkdir -p; 0 or -1 with errno. */
int ub_mkdir_p(const char *path, unsigned mode);

#endif
