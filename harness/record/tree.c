// SPDX-License-Identifier: GPL-2.0
/* tree.c: the suite's parts seen from the binary; plot/ scripts. See tree.h. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "record/tree.h"
#include "record/util.h"

int ub_exe_dir(char *buf, size_t n)
{
	ssize_t l = readlink("/proc/self/exe", buf, n - 1);
	char *s;

	if (l <= 0)
		return -1;
	buf[l] = 0;
	s = strrchr(buf, '/');
	if (!s)
		return -1;
	*s = 0;
	return 0;
}

int ub_source_tree(char *buf, size_t n)
{
	char exe[PATH_MAX], probe[PATH_MAX + 32], *s;

	if (ub_exe_dir(exe, sizeof(exe)))
		return -1;
	s = strrchr(exe, '/');
	if (!s || strcmp(s, "/harness"))
		return -1;
	*s = 0;
	snprintf(probe, sizeof(probe), "%s/results/README.md", exe);
	if (access(probe, R_OK))
		return -1;
	if (ub_strlcpy(buf, *exe ? exe : "/", n) >= n)
		return -1;
	return 0;
}

int ub_plot_script(const char *name, char *out, size_t n)
{
	const char *env = getenv("UB_PLOT_DIR");
	char top[PATH_MAX];

	if (env && *env)
		snprintf(out, n, "%s/%s", env, name);
	else if (!ub_source_tree(top, sizeof(top)))
		snprintf(out, n, "%s/plot/%s", top, name);
	else
		snprintf(out, n, "plot/%s", name);	/* no tree: for messages */
	return access(out, R_OK) ? -1 : 0;
}

/* Is PROG an executable file in $PATH? */
static int in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *dup, *save = NULL, *dir, p[PATH_MAX];
	int found = 0;

	dup = ub_xstrdup(path && *path ? path : "/usr/bin:/bin");
	for (dir = strtok_r(dup, ":", &save); dir && !found;
	     dir = strtok_r(NULL, ":", &save))
		found = snprintf(p, sizeof(p), "%s/%s", dir, prog) < (int)sizeof(p) &&
			access(p, X_OK) == 0;
	free(dup);
	return found;
}

/* The last non-empty line of what FD delivers (at most N-1 bytes). */
static void last_line(int fd, char *out, size_t n)
{
	char buf[4096], line[512] = "";
	size_t ll = 0;
	ssize_t r;

	out[0] = 0;
	while ((r = read(fd, buf, sizeof(buf))) > 0 || (r < 0 && errno == EINTR))
		for (ssize_t i = 0; i < r; i++) {
			if (buf[i] == '\n') {
				if (ll)
					ub_strlcpy(out, line, n);
				ll = 0;
				line[0] = 0;
			} else if (ll + 1 < sizeof(line)) {
				line[ll++] = buf[i];
				line[ll] = 0;
			}
		}
	if (ll)
		ub_strlcpy(out, line, n);
}

int ub_plot_run(const char *script, const char *const *args, char *why,
		size_t n)
{
	const char *argv[32];
	int fds[2], st, k = 0;
	char err[400];
	pid_t pid;

	if (!in_path("python3")) {
		snprintf(why, n, "python3 not found");
		return -1;
	}
	if (access(script, R_OK)) {
		snprintf(why, n, "%s not found (UB_PLOT_DIR names the suite's plot/)",
			 script);
		return -1;
	}
	argv[k++] = "python3";
	argv[k++] = script;
	for (int i = 0; args[i] && k < 31; i++)
		argv[k++] = args[i];
	argv[k] = NULL;
	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(why, n, "pipe: %s", strerror(errno));
		return -1;
	}
	pid = fork();
	if (pid == 0) {
		dup2(fds[1], 2);
		execvp("python3", (char *const *)argv);
		_exit(127);
	}
	close(fds[1]);
	if (pid < 0) {
		close(fds[0]);
		snprintf(why, n, "fork: %s", strerror(errno));
		return -1;
	}
	last_line(fds[0], err, sizeof(err));
	close(fds[0]);
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(st) && !WEXITSTATUS(st))
		return 0;
	snprintf(why, n, "python3 %s exited %d%s%s", script,
		 WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st),
		 *err ? ": " : "", err);
	return -1;
}
