/* SPDX-License-Identifier: GPL-2.0 */
/*
 * profile.h: bench profiles (bench/profiles/README.md has the format).
 *
 * A profile is lines of whitespace-separated tokens:
 *	# comment                      (a token starting with # ends the line)
 *	description free text
 *	defaults COMMAND KEY=VALUE...  (prepended to later COMMAND lines)
 *	micro KEY=VALUE...             (one `unmapbench micro` sweep)
 *	teardown KEY=VALUE...          (one `unmapbench teardown` sweep)
 *	include NAME                   (another profile's lines, in place)
 * A line ending in '\' continues on the next. VALUE may be "double
 * quoted" to hold spaces. KEY=VALUE becomes "--KEY" "VALUE", a bare KEY
 * becomes "--KEY"; the command behind the line validates them. Parse
 * errors name FILE:LINE and the offending token.
 */
#ifndef UB_PROFILE_H
#define UB_PROFILE_H

#include <limits.h>

struct ub_profile_line {
	char	cmd[16];		/* "micro" or "teardown" */
	int	argc;
	char	**argv;			/* argv[0] = cmd, NULL-terminated */
	char	where[PATH_MAX + 16];	/* "FILE:LINE" */
};

struct ub_profile {
	char	path[PATH_MAX];
	char	name[128];
	char	description[512];
	int	n;
	struct ub_profile_line *lines;
};

/* NAME (a profile name or a path) to a readable file; -1 with message. */
int  profile_resolve(const char *name, char *path, size_t n);
int  profile_load(const char *name, struct ub_profile *p);
/* Parse TEXT as if read from FILE (for tests); includes resolve too. */
int  profile_parse(const char *text, const char *file, struct ub_profile *p);
void profile_free(struct ub_profile *p);
/* Append tokens (already "--key","value") to every line whose cmd
 * matches CMD (NULL: every line). */
void profile_append(struct ub_profile *p, const char *cmd, int argc,
		    char **argv);

#endif
