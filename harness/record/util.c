// SPDX-License-Identifier: GPL-2.0
/* util.c: allocation, file reading, time and formatting helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "record/util.h"

static void oom(void)
{
	fputs("unmapbench: out of memory\n", stderr);
	abort();
}

void *ub_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *ub_xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (!p)
		oom();
	return p;
}

void *ub_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *ub_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		oom();
	return p;
}

char *ub_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	if (vasprintf(&p, fmt, ap) < 0)
		oom();
	va_end(ap);
	return p;
}

size_t ub_strlcpy(char *dst, const char *src, size_t n)
{
	size_t len = strlen(src);

	if (n) {
		size_t c = len < n - 1 ? len : n - 1;

		memcpy(dst, src, c);
		dst[c] = 0;
	}
	return len;
}

char *ub_read_file(const char *path, int strip)
{
	return ub_read_file_len(path, strip, NULL);
}

char *ub_read_file_len(const char *path, int strip, size_t *lenp)
{
	FILE *f = fopen(path, "re");
	size_t cap = 4096, len = 0;
	char *buf;

	if (!f)
		return NULL;
	buf = ub_xmalloc(cap);
	for (;;) {
		size_t r = fread(buf + len, 1, cap - len - 1, f);

		len += r;
		if (len < cap - 1) {
			if (ferror(f)) {
				int e = errno;

				fclose(f);
				free(buf);
				errno = e ? e : EIO;
				return NULL;
			}
			break;
		}
		cap *= 2;
		buf = ub_xrealloc(buf, cap);
	}
	fclose(f);
	buf[len] = 0;
	if (strip)
		while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r' ||
			       buf[len - 1] == ' '))
			buf[--len] = 0;
	if (lenp)
		*lenp = len;
	return buf;
}

const char *ub_rooted(char *buf, size_t n, const char *root, const char *path)
{
	if (!root || !*root || !strcmp(root, "/"))
		snprintf(buf, n, "%s", path);
	else
		snprintf(buf, n, "%s%s%s", root,
			 path[0] == '/' ? "" : "/", path);
	return buf;
}

char *ub_read_rooted(const char *root, const char *path, int strip)
{
	char p[4096];

	return ub_read_file(ub_rooted(p, sizeof(p), root, path), strip);
}

uint64_t ub_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void ub_utc_compact(char *buf, size_t n, long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y%m%dT%H%M%SZ", &tm);
}

void ub_utc_iso(char *buf, size_t n, long t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void ub_fmt_bytes(char *buf, size_t n, double b)
{
	static const char *const u[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	unsigned i = 0;

	while (b >= 1024 && i + 1 < UB_ARRAY_SIZE(u)) {
		b /= 1024;
		i++;
	}
	if (i == 0)
		snprintf(buf, n, "%.0f %s", b, u[i]);
	else
		snprintf(buf, n, "%.1f %s", b, u[i]);
}

void ub_fmt_duration(char *buf, size_t n, double s)
{
	long t;

	if (s < 0)
		s = 0;
	if (s < 10) {
		snprintf(buf, n, "%.1fs", s);
		return;
	}
	t = (long)(s + 0.5);
	if (t < 60)
		snprintf(buf, n, "%lds", t);
	else if (t < 3600)
		snprintf(buf, n, "%ldm %02lds", t / 60, t % 60);
	else
		snprintf(buf, n, "%ldh %02ldm", t / 3600, (t / 60) % 60);
}

int ub_mkdir_p(const char *path, unsigned mode)
{
	char tmp[4096];
	size_t len;
	char *p;

	if (ub_strlcpy(tmp, path, sizeof(tmp)) >= sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	len = strlen(tmp);
	while (len > 1 && tmp[len - 1] == '/')
		tmp[--len] = 0;
	for (p = tmp + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = 0;
		if (mkdir(tmp, mode) && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(tmp, mode) && errno != EEXIST)
		return -1;
	return 0;
}
