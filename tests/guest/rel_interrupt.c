// SPDX-License-Identifier: GPL-2.0
/*
 * rel_interrupt: interrupted and contended RUNs (issue 8).
 *
 * usage: rel_interrupt CASE
 *   smoke     one small valid RUN succeeds (exit status only)
 *   sigint    SIGINT mid-RUN: the RUN returns promptly with UB_STATUS_SIGNAL
 *             (or EINTR), its threads are gone, the next RUN works
 *   sigkill   SIGKILL mid-RUN: the process dies, the threads are gone, the
 *             next RUN is not refused as busy
 *   rmmod     delete_module() during a RUN is refused (EWOULDBLOCK/EBUSY:
 *             the open ctl file holds a module reference); the module
 *             still works afterwards
 *   two       a second RUN while one runs: EBUSY at once with a reason
 *             (the module serialises RUNs and does not queue them); INFO
 *             still answers meanwhile
 *   hotplug   CPU 1 offline between runs: a RUN naming it fails cleanly
 *             (ESRCH with a reason), one on CPU 0 with node 1's memory
 *             works; online again, CPU 1 runs again. Then offlining CPU 1
 *             while a RUN holds it: the offline waits for the RUN (or is
 *             refused) and nothing breaks.
 * "Mid-RUN" means after the module's threads (comm "unmap_bench/N") exist:
 * the test waits for them before it signals, so it does not depend on
 * timing. A long RUN is capped at 60 s by its max_wall_ms, so a run that
 * ends with UB_STATUS_WALL_CAP instead of UB_STATUS_SIGNAL shows the
 * signal was not honoured (the watchdog is a further 60 s).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <signal.h>

#include "rel_common.h"

#define LONG_WALL_MS 60000

static struct ub_info info;
static volatile sig_atomic_t got_sig;

static void on_sig(int sig) { got_sig = sig; }

struct outcome {
	int ret, err;
	uint32_t status, rounds_done, rounds;
	char reason[UB_REASON_LEN];
};

/* Wait until the module's threads exist (the RUN is running). */
static int wait_running(pid_t child, int want)
{
	for (int i = 0; i < 600; i++) {	/* 60 s */
		int st;

		if (rel_module_threads(NULL, 0) >= want)
			return 0;
		if (waitpid(child, &st, WNOHANG) == child)
			return -1;	/* ended before we saw it run */
		rel_sleep_ms(100);
	}
	return -1;
}

/* Wait for CHILD with a watchdog (seconds); -1 if it would not end. */
static int wait_child(pid_t child, int secs, int *status)
{
	for (int i = 0; i < secs * 10; i++) {
		if (waitpid(child, status, WNOHANG) == child)
			return 0;
		rel_sleep_ms(100);
	}
	return -1;
}

static void long_run(struct rel_run *x, int nthreads, const uint32_t *cpus)
{
	uint32_t c0[2] = { 0, 1 };

	rel_run_init(x, &info, UB_BACKEND_NULL, UB_GRANULE_4K, 0, nthreads,
		     cpus ? cpus : c0, 16, 1U << 20);
	x->r.max_wall_ms = LONG_WALL_MS;
	x->r.batch = 8;
}

/*
 * Fork a child that issues a long RUN and reports its outcome through a
 * pipe. SIGINT/SIGTERM are caught without SA_RESTART, as the harness does.
 */
static pid_t spawn_long(int nthreads, const uint32_t *cpus, int *rfd)
{
	int p[2];
	pid_t pid;

	if (pipe(p))
		return -1;
	pid = fork();
	if (pid)
		goto parent;
	{
		struct sigaction sa;
		struct rel_run x;
		struct outcome o;
		int fd = rel_open_ctl();

		close(p[0]);
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_sig;
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		memset(&o, 0, sizeof(o));
		long_run(&x, nthreads, cpus);
		o.ret = rel_run_size(fd, &x, 0, 0);
		if (!o.ret)
			o.ret = rel_run_do(fd, &x);
		o.err = o.ret < 0 ? -o.ret : 0;
		o.status = x.r.status;
		o.rounds_done = x.r.rounds_done;
		o.rounds = x.r.rounds;
		memcpy(o.reason, x.r.reason, sizeof(o.reason));
		if (write(p[1], &o, sizeof(o)) != sizeof(o))
			_exit(3);
		_exit(0);
	}
parent:
	close(p[1]);
	*rfd = p[0];
	return pid;
}

static int read_outcome(int rfd, struct outcome *o)
{
	ssize_t n = read(rfd, o, sizeof(*o));

	close(rfd);
	return n == sizeof(*o) ? 0 : -1;
}

static int small_run(int fd, unsigned node, uint32_t cpu, struct rel_run *x)
{
	int ret;

	rel_run_init(x, &info, UB_BACKEND_NULL, UB_GRANULE_4K, node, 1, &cpu, 4, 2);
	x->r.max_wall_ms = 5000;
	ret = rel_run_size(fd, x, 1, 1);
	if (ret)
		return ret;
	return rel_run_do(fd, x);
}

static int after_checks(const char *what, int fd)
{
	struct rel_run x;
	char names[256];
	int n = rel_module_threads(names, sizeof(names)), ret;

	rel_tap(n == 0, "%s: no module thread left after the RUN ended (%d: %s)", what,
		n, names);
	ret = small_run(fd, 0, 0, &x);
	rel_tap(ret == 0, "%s: the next RUN works (%s%s%s)", what, rel_errname(-ret),
		ret ? ": " : "", ret ? x.r.reason : "");
	return ret;
}

static int case_signal(int fd, int sig)
{
	const char *what = sig == SIGINT ? "SIGINT mid-RUN" : "SIGKILL mid-RUN";
	char names[256];
	struct outcome o;
	int rfd, st;
	pid_t pid = spawn_long(2, NULL, &rfd);

	if (pid < 0) {
		rel_tap(0, "%s: fork", what);
		return 1;
	}
	if (wait_running(pid, 2)) {
		rel_tap(0, "%s: the RUN never started its threads", what);
		kill(pid, SIGKILL);
		waitpid(pid, &st, 0);
		return 1;
	}
	rel_module_threads(names, sizeof(names));
	rel_note("%s: module threads while running: %s", what, names);
	kill(pid, sig);
	if (wait_child(pid, LONG_WALL_MS / 1000 + 60, &st)) {
		char path[64], wchan[128] = "?";

		snprintf(path, sizeof(path), "/proc/%d/wchan", pid);
		rel_read_file(path, wchan, sizeof(wchan));
		rel_tap(0, "%s: the process did not end (stuck in '%s')", what, wchan);
		return 1;
	}
	if (sig == SIGKILL) {
		rel_tap(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL,
			"%s: the process died of SIGKILL (status %#x)", what, st);
		close(rfd);
	} else {
		int rd = read_outcome(rfd, &o);

		rel_tap(rd == 0 && WIFEXITED(st) && !WEXITSTATUS(st),
			"%s: the RUN returned to the caller", what);
		if (!rd) {
			int ok = (o.ret == 0 && (o.status & UB_STATUS_SIGNAL) &&
				  !(o.status & UB_STATUS_WALL_CAP) &&
				  o.rounds_done < o.rounds) || o.err == EINTR;

			rel_tap(ok, "%s: stopped by the signal, not the wall cap "
				"(%s, status %#x, %u of %u rounds)", what,
				rel_errname(o.err), o.status, o.rounds_done, o.rounds);
		}
	}
	return after_checks(what, fd);
}

static int case_rmmod(int fd)
{
	const char *what = "rmmod during a RUN";
	struct outcome o;
	int rfd, st, r, e;
	pid_t pid;

	/* Only the running child holds the ctl file open. */
	close(fd);
	pid = spawn_long(1, NULL, &rfd);

	if (pid < 0 || wait_running(pid, 1)) {
		rel_tap(0, "%s: the RUN never started", what);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		return 1;
	}
	r = rel_delete_module("unmap_bench", O_NONBLOCK);
	e = errno;
	rel_tap(r == -1 && (e == EWOULDBLOCK || e == EBUSY),
		"%s: delete_module(O_NONBLOCK) refused (%s)", what,
		r ? rel_errname(e) : "it succeeded");
	r = rel_delete_module("unmap_bench", 0);
	e = errno;
	rel_tap(r == -1 && (e == EWOULDBLOCK || e == EBUSY),
		"%s: delete_module(0) refused too (%s)", what,
		r ? rel_errname(e) : "it succeeded");
	rel_tap(rel_module_loaded(), "%s: module still loaded", what);
	kill(pid, SIGINT);
	if (wait_child(pid, LONG_WALL_MS / 1000 + 60, &st)) {
		rel_tap(0, "%s: the RUN did not end after SIGINT", what);
		return 1;
	}
	r = read_outcome(rfd, &o);
	rel_tap(!r && (o.ret == 0 || o.err == EINTR),
		"%s: the RUN ended normally (%s, status %#x)", what,
		r ? "no outcome" : rel_errname(o.err), r ? 0 : o.status);
	fd = rel_open_ctl();
	if (fd < 0) {
		rel_tap(0, "%s: reopen %s: %s", what, UB_CTL_PATH, strerror(errno));
		return 1;
	}
	r = after_checks(what, fd);
	close(fd);
	return r;
}

static int case_two(int fd)
{
	const char *what = "two RUNs at once";
	struct rel_run x;
	struct ub_info in2;
	struct outcome o;
	int rfd, st, ret;
	pid_t pid = spawn_long(1, NULL, &rfd);

	if (pid < 0 || wait_running(pid, 1)) {
		rel_tap(0, "%s: the first RUN never started", what);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		return 1;
	}
	ret = small_run(fd, 0, 1, &x);
	rel_tap(ret == -EBUSY && x.r.reason[0] && strnlen(x.r.reason, UB_REASON_LEN) < UB_REASON_LEN,
		"%s: the second gets EBUSY at once, with a reason (%s: %s)", what,
		rel_errname(-ret), x.r.reason);
	ret = rel_info(fd, &in2);
	rel_tap(ret == 0, "%s: INFO answers during a RUN (%s)", what, rel_errname(-ret));
	kill(pid, SIGINT);
	if (wait_child(pid, LONG_WALL_MS / 1000 + 60, &st)) {
		rel_tap(0, "%s: the first RUN did not end after SIGINT", what);
		return 1;
	}
	ret = read_outcome(rfd, &o);
	rel_tap(!ret && o.ret == 0, "%s: the first RUN was not disturbed (%s, status %#x)",
		what, ret ? "no outcome" : rel_errname(o.err), ret ? 0 : o.status);
	return after_checks(what, fd);
}

static const char *CPU1 = "/sys/devices/system/cpu/cpu1/online";

static int cpu1_online(void)
{
	return rel_read_ll(CPU1) == 1;
}

static int case_hotplug(int fd)
{
	const char *what = "CPU 1 hot-unplug";
	struct rel_run x;
	int ret, st, rfd;
	pid_t pid, off;

	if (access(CPU1, W_OK)) {
		rel_skip(what, "%s not writable (no CPU hotplug)", CPU1);
		return 0;
	}
	if (rel_write_file(CPU1, "0")) {
		rel_tap(0, "%s: offline CPU 1: %s", what, strerror(errno));
		return 1;
	}
	rel_tap(!cpu1_online(), "%s: CPU 1 is offline", what);
	ret = small_run(fd, 1, 1, &x);
	rel_tap(ret == -ESRCH && x.r.reason[0],
		"%s: a RUN naming offline CPU 1 fails cleanly (%s: %s)", what,
		rel_errname(-ret), x.r.reason);
	ret = small_run(fd, 1, 0, &x);
	rel_tap(ret == 0, "%s: node 1's memory from CPU 0 still works (%s %s)", what,
		rel_errname(-ret), ret ? x.r.reason : "");
	rel_tap(rel_write_file(CPU1, "1") == 0 && cpu1_online(),
		"%s: CPU 1 online again", what);
	ret = small_run(fd, 1, 1, &x);
	rel_tap(ret == 0, "%s: CPU 1 runs again (%s %s)", what, rel_errname(-ret),
		ret ? x.r.reason : "");

	/* Offline while a RUN holds CPU 1. */
	pid = spawn_long(2, NULL, &rfd);
	if (pid < 0 || wait_running(pid, 2)) {
		rel_tap(0, "%s: the RUN on CPUs 0,1 never started", what);
		if (pid > 0) {
			kill(pid, SIGKILL);
			waitpid(pid, &st, 0);
		}
		return 1;
	}
	off = fork();
	if (!off)
		_exit(rel_write_file(CPU1, "0") ? (errno & 0x7f) : 0);
	rel_sleep_ms(1000);
	kill(pid, SIGINT);
	if (wait_child(pid, LONG_WALL_MS / 1000 + 60, &st)) {
		rel_tap(0, "%s: the RUN did not end after SIGINT while CPU 1 went offline",
			what);
		return 1;
	}
	{
		struct outcome o;
		int r = read_outcome(rfd, &o);

		rel_tap(!r && (o.ret == 0 || o.err == EINTR),
			"%s: the RUN that held CPU 1 ended normally (%s, status %#x)", what,
			r ? "no outcome" : rel_errname(o.err), r ? 0 : o.status);
	}
	if (wait_child(off, 120, &st)) {
		rel_tap(0, "%s: offlining CPU 1 never completed after the RUN ended", what);
		return 1;
	}
	rel_tap(WIFEXITED(st), "%s: offlining CPU 1 during a RUN completed after it "
		"(exit %d: %s)", what, WEXITSTATUS(st),
		WEXITSTATUS(st) ? strerror(WEXITSTATUS(st)) : "offline");
	if (!cpu1_online())
		rel_write_file(CPU1, "1");
	rel_tap(cpu1_online(), "%s: CPU 1 online at the end", what);
	return after_checks(what, fd);
}

int main(int argc, char **argv)
{
	struct rel_run x;
	int fd, ret;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc != 2) {
		fprintf(stderr, "usage: rel_interrupt smoke|sigint|sigkill|rmmod|two|hotplug\n");
		return 2;
	}
	fd = rel_open_ctl();
	if (fd < 0 || rel_info(fd, &info)) {
		rel_tap(0, "%s: open/INFO %s: %s", argv[1], UB_CTL_PATH, strerror(errno));
		return 1;
	}
	if (!strcmp(argv[1], "smoke")) {
		ret = small_run(fd, 0, 0, &x);
		if (ret)
			fprintf(stderr, "RUN: %s: %s\n", rel_errname(-ret), x.r.reason);
		return ret ? 1 : 0;
	}
	if (!strcmp(argv[1], "sigint"))
		case_signal(fd, SIGINT);
	else if (!strcmp(argv[1], "sigkill"))
		case_signal(fd, SIGKILL);
	else if (!strcmp(argv[1], "rmmod")) {
		case_rmmod(fd);	/* closes fd */
		return rel_failed;
	}
	else if (!strcmp(argv[1], "two"))
		case_two(fd);
	else if (!strcmp(argv[1], "hotplug"))
		case_hotplug(fd);
	else {
		fprintf(stderr, "rel_interrupt: unknown case '%s'\n", argv[1]);
		return 2;
	}
	close(fd);
	return rel_failed;
}
