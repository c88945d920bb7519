// SPDX-License-Identifier: GPL-2.0
/*
 * teardown_perf.c: --perf-record. Records the teardown phase system-wide
 * with call graphs (perf record -a -g) and keeps the top kernel symbols
 * (perf report --sort symbol, "[k]" lines) in teardown-perf.txt, where
 * e.g. tdx_sept_remove_leaf_spte and the SEAMCALL wrappers show up on a
 * TDX host. When perf is missing or refuses (no PMU, perf_event_paranoid),
 * the run goes on and the file says why; a refused hardware event is
 * retried once with the software event cpu-clock.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "record/log.h"
#include "teardown/teardown.h"
#include "record/util.h"

#define TOP_SYMBOLS 25

static int find_perf(char *out, size_t n)
{
	const char *path = getenv("PATH");
	char *dup, *save = NULL, *dir;
	int found = 0;

	if (!path || !*path)
		path = "/usr/bin:/bin:/usr/sbin:/sbin";
	dup = ub_xstrdup(path);
	for (dir = strtok_r(dup, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		snprintf(out, n, "%s/perf", dir);
		if (access(out, X_OK) == 0) {
			found = 1;
			break;
		}
	}
	free(dup);
	return found;
}

static void append_txt(const struct td_perf *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void append_txt(const struct td_perf *p, const char *fmt, ...)
{
	char path[4200];
	va_list ap;
	FILE *f;

	snprintf(path, sizeof(path), "%s/teardown-perf.txt", p->dir);
	f = fopen(path, "a");
	if (!f)
		return;
	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fclose(f);
}

void td_perf_init(struct td_perf *p, int enabled, const char *dir)
{
	char perf[4096];

	memset(p, 0, sizeof(*p));
	p->enabled = enabled;
	ub_strlcpy(p->dir, dir ? dir : ".", sizeof(p->dir));
	if (!enabled)
		return;
	if (!find_perf(perf, sizeof(perf))) {
		snprintf(p->why, sizeof(p->why), "perf not found in PATH "
			 "(install linux-perf / perf)");
		ub_warn("teardown: --perf-record: %s; continuing without it", p->why);
		append_txt(p, "# perf record unavailable: %s\n", p->why);
		return;
	}
	p->usable = 1;
}

static char *tail_of(const char *path)
{
	char *s = ub_read_file(path, 1), *t;

	if (!s)
		return ub_xstrdup("no output");
	for (char *q = s; *q; q++)
		if (*q == '\n')
			*q = ' ';
	t = strlen(s) > 200 ? ub_xstrdup(s + strlen(s) - 200) : ub_xstrdup(s);
	free(s);
	return t;
}

static pid_t spawn_perf(struct td_perf *p, const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		sigaction(SIGINT, &sa, NULL);
		if (fd >= 0) {
			dup2(fd, 1);
			dup2(fd, 2);
		}
		/* Hold no guest fd: that would delay the guests' teardown. */
		for (int i = 3; i < 65536; i++)
			close(i);
		if (p->event[0])
			execlp("perf", "perf", "record", "-a", "-g", "-e", p->event,
			       "-o", p->data, NULL);
		else
			execlp("perf", "perf", "record", "-a", "-g", "-o", p->data,
			       NULL);
		_exit(127);
	}
	return pid;
}

int td_perf_start(struct td_perf *p)
{
	const char *run_id = p->run_id;
	char log[4200];

	if (!p->enabled || !p->usable)
		return -1;
	snprintf(p->data, sizeof(p->data), "%s/teardown-perf-%s.data", p->dir, run_id);
	snprintf(log, sizeof(log), "%s/teardown-perf-%s.log", p->dir, run_id);
	for (int attempt = 0; attempt < 2; attempt++) {
		struct timespec ts = { 0, 50 * 1000 * 1000 };
		int status, started = 0;
		pid_t pid;

		unlink(p->data);
		pid = spawn_perf(p, log);
		if (pid < 0) {
			snprintf(p->why, sizeof(p->why), "fork: %s", strerror(errno));
			break;
		}
		/* perf writes its header once the events are open. */
		for (int i = 0; i < 100; i++) {
			struct stat st;

			nanosleep(&ts, NULL);
			if (waitpid(pid, &status, WNOHANG) == pid) {
				pid = 0;
				break;
			}
			if (stat(p->data, &st) == 0 && st.st_size > 0) {
				started = 1;
				break;
			}
		}
		if (started) {
			nanosleep(&ts, NULL);
			nanosleep(&ts, NULL);
			p->pid = pid;
			return 0;
		}
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
		}
		{
			char *t = tail_of(log);

			snprintf(p->why, sizeof(p->why), "perf record%s%s failed: %s",
				 p->event[0] ? " -e " : "", p->event, t);
			free(t);
		}
		if (p->event[0])
			break;
		/* No hardware PMU here? Try the software clock. */
		ub_strlcpy(p->event, "cpu-clock", sizeof(p->event));
	}
	p->usable = 0;
	ub_warn("teardown: --perf-record: %s; continuing without it", p->why);
	append_txt(p, "# run %s: perf record unavailable: %s\n", run_id, p->why);
	return -1;
}

void td_perf_stop(struct td_perf *p)
{
	char cmd[8600], line[1024];
	int status, n = 0;
	FILE *f;

	if (!p->pid)
		return;
	kill(p->pid, SIGINT);
	waitpid(p->pid, &status, 0);
	p->pid = 0;
	snprintf(cmd, sizeof(cmd), "perf report -i '%s' --stdio --no-children "
		 "--sort symbol -q -g none --percent-limit 0.1 2>&1", p->data);
	append_txt(p, "# run %s: perf record -a -g%s%s during the teardown "
		   "phase; top kernel symbols (self %%):\n", p->run_id,
		   p->event[0] ? " -e " : "", p->event);
	f = popen(cmd, "r");
	if (!f) {
		append_txt(p, "#   perf report failed: %s\n", strerror(errno));
		return;
	}
	while (fgets(line, sizeof(line), f)) {
		char pct[32], sym[512];

		if (!strstr(line, "[k]") ||
		    sscanf(line, " %31s [k] %511s", pct, sym) != 2)
			continue;
		if (n++ < TOP_SYMBOLS)
			append_txt(p, "  %8s  %s\n", pct, sym);
	}
	status = pclose(f);
	if (!n)
		append_txt(p, "#   no kernel samples (perf report exit %d)\n",
			   WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}
