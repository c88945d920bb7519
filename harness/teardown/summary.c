// SPDX-License-Identifier: GPL-2.0
/*
 * teardown_summary.c: teardown-summary.txt, the table reviewers expect
 * (vCPUs, size, seconds before/after, change), built from the aggregate
 * rows (vm = "all") of teardown.csv. "before" comes from --baseline (the
 * run directory of the other kernel); without one the column says "-".
 * The plot helper builds the cross-kernel tables from teardown.csv too.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "record/log.h"
#include "teardown/teardown.h"
#include "record/util.h"

#define MAXF 32

/* Split one CSV line (RFC 4180 quoting, no embedded newlines) in place. */
static int split_csv(char *line, char **f, int max)
{
	int n = 0;
	char *p = line, *w;

	while (n < max) {
		f[n++] = w = p;
		if (*p == '"') {
			p++;
			for (;;) {
				if (!*p)
					break;
				if (*p == '"' && p[1] == '"') {
					*w++ = '"';
					p += 2;
				} else if (*p == '"') {
					p++;
					break;
				} else {
					*w++ = *p++;
				}
			}
		}
		while (*p && *p != ',' && *p != '\n' && *p != '\r')
			*w++ = *p++;
		if (*p == ',') {
			*w = '\0';
			p++;
			continue;
		}
		*w = '\0';
		break;
	}
	return n;
}

struct grp {
	char key[256];
	char vm_type[32], trigger[16], populate[16], page_size[8];
	unsigned long long vms, vcpus, size, mapped;
	double *secs;
	size_t n, cap;
	double nspp_sum;
	char status[200];		/* first non-ok status */
};

struct table {
	struct grp *g;
	size_t n, cap;
	char kernel[128];
	char emulation[32];
};

static int col(char **hdr, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(hdr[i], name))
			return i;
	return -1;
}

static struct grp *find_grp(struct table *t, const char *key)
{
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(t->g[i].key, key))
			return &t->g[i];
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 16;
		t->g = ub_xrealloc(t->g, t->cap * sizeof(*t->g));
	}
	memset(&t->g[t->n], 0, sizeof(t->g[0]));
	ub_strlcpy(t->g[t->n].key, key, sizeof(t->g[0].key));
	return &t->g[t->n++];
}

static int load(const char *path, struct table *t)
{
	char line[4096], hl[4096], *hdr[MAXF], *f[MAXF];
	int nh, c_vm, c_type, c_trig, c_pop, c_ps, c_vms, c_vcpus, c_size,
	    c_map, c_td, c_nspp, c_st, c_emu;
	FILE *fp = fopen(path, "r");

	memset(t, 0, sizeof(*t));
	if (!fp)
		return -1;
	if (!fgets(hl, sizeof(hl), fp)) {
		fclose(fp);
		return -1;
	}
	nh = split_csv(hl, hdr, MAXF);
	c_vm = col(hdr, nh, "vm");
	c_type = col(hdr, nh, "vm_type");
	c_trig = col(hdr, nh, "trigger");
	c_pop = col(hdr, nh, "populate");
	c_ps = col(hdr, nh, "page_size");
	c_vms = col(hdr, nh, "vms");
	c_vcpus = col(hdr, nh, "vcpus");
	c_size = col(hdr, nh, "size_bytes");
	c_map = col(hdr, nh, "mappings_populated");
	c_td = col(hdr, nh, "teardown_s");
	c_nspp = col(hdr, nh, "ns_per_page");
	c_st = col(hdr, nh, "status");
	c_emu = col(hdr, nh, "emulation");
	if (c_vm < 0 || c_type < 0 || c_trig < 0 || c_td < 0 || c_st < 0 ||
	    c_size < 0 || c_vms < 0 || c_vcpus < 0 || c_pop < 0 || c_ps < 0 ||
	    c_map < 0 || c_nspp < 0) {
		fclose(fp);
		errno = EINVAL;
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		char key[256];
		struct grp *g;
		int n = split_csv(line, f, MAXF);

		if (n < nh || strcmp(f[c_vm], "all"))
			continue;
		snprintf(key, sizeof(key), "%s|%s|%s|%s|%s|%s|%s", f[c_type],
			 f[c_trig], f[c_pop], f[c_ps], f[c_vms], f[c_vcpus],
			 f[c_size]);
		g = find_grp(t, key);
		ub_strlcpy(g->vm_type, f[c_type], sizeof(g->vm_type));
		ub_strlcpy(g->trigger, f[c_trig], sizeof(g->trigger));
		ub_strlcpy(g->populate, f[c_pop], sizeof(g->populate));
		ub_strlcpy(g->page_size, f[c_ps], sizeof(g->page_size));
		g->vms = strtoull(f[c_vms], NULL, 10);
		g->vcpus = strtoull(f[c_vcpus], NULL, 10);
		g->size = strtoull(f[c_size], NULL, 10);
		if (c_emu >= 0 && !t->emulation[0])
			ub_strlcpy(t->emulation, f[c_emu], sizeof(t->emulation));
		if (strncmp(f[c_st], "ok", 2) || !f[c_td][0]) {
			if (!g->status[0])
				ub_strlcpy(g->status, f[c_st], sizeof(g->status));
			continue;
		}
		if (f[c_map][0])
			g->mapped = strtoull(f[c_map], NULL, 10);
		if (g->n == g->cap) {
			g->cap = g->cap ? g->cap * 2 : 4;
			g->secs = ub_xrealloc(g->secs, g->cap * sizeof(double));
		}
		g->secs[g->n++] = strtod(f[c_td], NULL);
		g->nspp_sum += f[c_nspp][0] ? strtod(f[c_nspp], NULL) : 0;
	}
	fclose(fp);
	return 0;
}

static int dcmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(struct grp *g)
{
	if (!g->n)
		return -1;
	qsort(g->secs, g->n, sizeof(double), dcmp);
	return g->n % 2 ? g->secs[g->n / 2] :
	       (g->secs[g->n / 2 - 1] + g->secs[g->n / 2]) / 2;
}

static void free_table(struct table *t)
{
	for (size_t i = 0; i < t->n; i++)
		free(t->g[i].secs);
	free(t->g);
}

int td_summary_write(const char *dir, const char *baseline,
		     const char *kernel, const char *emulation)
{
	char path[4200], bpath[4200], tmp[4300];
	struct table now, base;
	int have_base = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/teardown.csv", dir);
	if (load(path, &now))
		return -1;
	memset(&base, 0, sizeof(base));
	if (baseline) {
		struct stat st;

		if (stat(baseline, &st) == 0 && S_ISDIR(st.st_mode))
			snprintf(bpath, sizeof(bpath), "%s/teardown.csv", baseline);
		else
			snprintf(bpath, sizeof(bpath), "%s", baseline);
		if (load(bpath, &base))
			ub_warn("teardown: --baseline %s: cannot read %s: %s",
				baseline, bpath, strerror(errno));
		else
			have_base = 1;
	}
	snprintf(tmp, sizeof(tmp), "%s/teardown-summary.txt.tmp", dir);
	f = fopen(tmp, "w");
	if (!f) {
		free_table(&now);
		free_table(&base);
		return -1;
	}
	fprintf(f, "# unmapbench teardown summary: kernel %s, emulation %s\n",
		kernel ? kernel : "unknown", emulation ? emulation : "unknown");
	if (emulation && !strncmp(emulation, "qemu-tcg", 8))
		fprintf(f, "# QEMU/TCG EMULATION: times are emulator times, not "
			"hardware figures.\n");
	else if (emulation && strcmp(emulation, "none"))
		fprintf(f, "# VIRTUALIZED (%s): times include the hypervisor's "
			"overhead.\n", emulation);
	fprintf(f, "# seconds: all guests of a run torn down at once, first "
		"start to last end; median of repeats.\n");
	fprintf(f, "# mapped: 4K-equivalent stage-2 mappings KVM reported "
		"(pages_4k + 512*pages_2m) before teardown, all guests.\n");
	if (have_base)
		fprintf(f, "# before: %s (same run shape); change = "
			"(seconds - before) / before.\n", bpath);
	else
		fprintf(f, "# before/change: no --baseline given.\n");
	fprintf(f, "%-5s %-10s %-4s %-6s %-12s %-7s %-8s %-10s %-11s %-11s %-8s %s\n",
		"vCPUs", "size", "page", "guests", "vm_type", "trigger", "populate",
		"mapped", "before", "seconds", "change", "ns/page");
	for (size_t i = 0; i < now.n; i++) {
		struct grp *g = &now.g[i], *b = NULL;
		char sz[32], bs[24] = "-", ch[24] = "-", sec[24] = "-";
		double m = median(g);

		ub_fmt_bytes(sz, sizeof(sz), (double)g->size);
		for (size_t k = 0; have_base && k < base.n; k++)
			if (!strcmp(base.g[k].key, g->key))
				b = &base.g[k];
		if (m >= 0)
			snprintf(sec, sizeof(sec), "%.6f", m);
		if (b && median(b) >= 0) {
			double bm = median(b);

			snprintf(bs, sizeof(bs), "%.6f", bm);
			if (m >= 0 && bm > 0)
				snprintf(ch, sizeof(ch), "%+.1f%%", (m - bm) / bm * 100);
		}
		if (m < 0) {
			fprintf(f, "%-5llu %-10s %-4s %-6llu %-12s %-7s %-8s %s\n",
				g->vcpus, sz, g->page_size, g->vms, g->vm_type,
				g->trigger, g->populate, g->status);
			continue;
		}
		fprintf(f, "%-5llu %-10s %-4s %-6llu %-12s %-7s %-8s %-10llu %-11s "
			"%-11s %-8s %.1f\n", g->vcpus, sz, g->page_size, g->vms,
			g->vm_type,
			g->trigger, g->populate, g->mapped, bs, sec, ch,
			g->nspp_sum / (double)g->n);
	}
	fclose(f);
	snprintf(path, sizeof(path), "%s/teardown-summary.txt", dir);
	rename(tmp, path);
	free_table(&now);
	free_table(&base);
	return 0;
}
