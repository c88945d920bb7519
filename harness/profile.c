// SPDX-License-Identifier: GPL-2.0
/* profile.c: the bench profile parser, see profile.h. */
#include <ctype.h>
#include <stdarg.h>
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "commands.h"
#include "profile.h"
#include "record/log.h"
#include "record/opts.h"
#include "record/tree.h"
#include "record/util.h"

#define MAX_INCLUDE_DEPTH 8
#define MAX_COMMANDS	16

struct defaults {
	int	argc;
	char	**argv;
};

struct pstate {
	struct ub_profile *p;
	struct defaults d[MAX_COMMANDS];	/* by index in ub_commands[] */
	int	depth;
};

/* Index of CMD in ub_commands[] if profiles may hold it, else -1. */
static int line_command(const char *cmd)
{
	const struct ub_command *c = ub_command_find(cmd);

	return c && c->driver ? (int)(c - ub_commands) : -1;
}

/* "micro or teardown": the commands a profile line may name. */
static const char *line_commands(char *buf, size_t n)
{
	const char *last = NULL;

	buf[0] = 0;
	for (const struct ub_command *c = ub_commands; c->name; c++) {
		if (!c->driver)
			continue;
		if (last)
			snprintf(buf + strlen(buf), n - strlen(buf), "%s%s",
				 *buf ? ", " : "", last);
		last = c->name;
	}
	snprintf(buf + strlen(buf), n - strlen(buf), "%s%s", *buf ? " or " : "",
		 last ? last : "");
	return buf;
}

static int perr(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int perr(const char *file, int line, const char *fmt, ...)
{
	char msg[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (snprintf(ub_opt_errbuf, sizeof(ub_opt_errbuf), "%s:%d: %s", file, line,
		     msg) >= (int)sizeof(ub_opt_errbuf))
		ub_opt_errbuf[sizeof(ub_opt_errbuf) - 1] = 0;
	ub_err("%s", ub_opt_errbuf);
	return -1;
}

static void push(char ***v, int *n, const char *s)
{
	*v = ub_xrealloc(*v, sizeof(char *) * (size_t)(*n + 2));
	(*v)[(*n)++] = ub_xstrdup(s);
	(*v)[*n] = NULL;
}

static void free_argv(char **v, int n)
{
	for (int i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Split LINE into tokens (quotes, # comments); -1 on an open quote. */
static int tokenize(const char *line, char ***tok, int *n, const char *file,
		    int lineno)
{
	const char *s = line;

	*tok = NULL;
	*n = 0;
	for (;;) {
		char buf[4096];
		size_t len = 0;
		int quoted = 0;

		while (*s && isspace((unsigned char)*s))
			s++;
		if (!*s || *s == '#')
			break;
		while (*s && (quoted || !isspace((unsigned char)*s))) {
			if (*s == '"') {
				quoted = !quoted;
				s++;
				continue;
			}
			if (*s == '\\' && quoted && (s[1] == '"' || s[1] == '\\'))
				s++;
			if (len + 1 < sizeof(buf))
				buf[len++] = *s;
			s++;
		}
		buf[len] = 0;
		if (quoted) {
			free_argv(*tok, *n);
			return perr(file, lineno, "unterminated quote in '%s'", buf);
		}
		push(tok, n, buf);
	}
	return 0;
}

static int valid_key(const char *k, size_t len)
{
	if (!len || !islower((unsigned char)k[0]))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!islower((unsigned char)k[i]) && !isdigit((unsigned char)k[i]) &&
		    k[i] != '-' && k[i] != '_')
			return 0;
	return 1;
}

/* KEY=VALUE tokens to "--KEY" "VALUE" appended to (v, n). */
static int convert(char **tok, int ntok, int from, char ***v, int *n,
		   const char *file, int lineno)
{
	for (int i = from; i < ntok; i++) {
		const char *t = tok[i], *eq = strchr(t, '=');
		size_t klen = eq ? (size_t)(eq - t) : strlen(t);
		char key[128];

		if (!valid_key(t, klen) || klen >= sizeof(key) - 3)
			return perr(file, lineno, "bad token '%s': expected KEY=VALUE "
				    "(KEY in lower case, e.g. pages=512)", t);
		if (eq && !eq[1])
			return perr(file, lineno, "empty value in '%s'", t);
		snprintf(key, sizeof(key), "--%.*s", (int)klen, t);
		for (char *c = key; *c; c++)
			if (*c == '_')
				*c = '-';
		push(v, n, key);
		if (eq)
			push(v, n, eq + 1);
	}
	return 0;
}

static int parse_text(struct pstate *st, const char *text, const char *file);

/* A profile's text; NULL after one message (a NUL byte is named by its
 * line: profiles are text). */
static char *read_text(const char *path)
{
	size_t len;
	char *text = ub_read_file_len(path, 0, &len), *nul;
	int line = 1;

	if (!text)
		return NULL;
	nul = memchr(text, 0, len);
	if (!nul)
		return text;
	for (char *c = text; c < nul; c++)
		line += *c == '\n';
	free(text);
	perr(path, line, "a NUL byte: a profile is text");
	errno = 0;
	return NULL;
}

static int do_include(struct pstate *st, const char *name, const char *file,
		      int lineno)
{
	char path[PATH_MAX], dir[PATH_MAX];
	char *text;
	int rc;

	if (st->depth >= MAX_INCLUDE_DEPTH)
		return perr(file, lineno, "include '%s': nested too deep (loop?)", name);
	/* Relative names resolve next to the including file first. */
	ub_strlcpy(dir, file, sizeof(dir));
	if (!strchr(name, '/') &&
	    snprintf(path, sizeof(path), "%s/%s", dirname(dir), name) < (int)sizeof(path) &&
	    access(path, R_OK) == 0)
		;
	else if (profile_resolve(name, path, sizeof(path)))
		return perr(file, lineno, "include '%s': no such profile", name);
	text = read_text(path);
	if (!text)
		return errno ? perr(file, lineno, "include '%s': %s: %s", name, path,
				    strerror(errno)) : -1;
	st->depth++;
	rc = parse_text(st, text, path);
	st->depth--;
	free(text);
	return rc;
}

static int parse_line(struct pstate *st, char **tok, int ntok, const char *file,
		      int lineno)
{
	struct ub_profile *p = st->p;
	char names[128];
	int ci;

	if (!strcmp(tok[0], "description")) {
		size_t off = strlen(p->description);

		for (int i = 1; i < ntok && off + 2 < sizeof(p->description); i++) {
			off += (size_t)snprintf(p->description + off,
						sizeof(p->description) - off, "%s%s",
						off ? " " : "", tok[i]);
			if (off >= sizeof(p->description))
				off = sizeof(p->description) - 1;
		}
		return 0;
	}
	if (!strcmp(tok[0], "include")) {
		if (ntok != 2)
			return perr(file, lineno, "include takes one profile name");
		return do_include(st, tok[1], file, lineno);
	}
	if (!strcmp(tok[0], "defaults")) {
		if (ntok < 2)
			return perr(file, lineno, "defaults needs a command (%s)",
				    line_commands(names, sizeof(names)));
		ci = line_command(tok[1]);
		if (ci < 0)
			return perr(file, lineno, "defaults: unknown command '%s' "
				    "(expected %s)", tok[1],
				    line_commands(names, sizeof(names)));
		return convert(tok, ntok, 2, &st->d[ci].argv, &st->d[ci].argc, file,
			       lineno);
	}
	ci = line_command(tok[0]);
	if (ci < 0)
		return perr(file, lineno, "unknown command '%s' (expected %s, "
			    "defaults, include or description)", tok[0],
			    line_commands(names, sizeof(names)));
	{
		struct ub_profile_line *l;

		p->lines = ub_xrealloc(p->lines, sizeof(*p->lines) * (size_t)(p->n + 1));
		l = &p->lines[p->n];
		memset(l, 0, sizeof(*l));
		ub_strlcpy(l->cmd, ub_commands[ci].name, sizeof(l->cmd));
		snprintf(l->where, sizeof(l->where), "%s:%d", file, lineno);
		push(&l->argv, &l->argc, ub_commands[ci].name);
		for (int i = 0; i < st->d[ci].argc; i++)
			push(&l->argv, &l->argc, st->d[ci].argv[i]);
		if (convert(tok, ntok, 1, &l->argv, &l->argc, file, lineno)) {
			free_argv(l->argv, l->argc);
			return -1;
		}
		p->n++;
	}
	return 0;
}

static int parse_text(struct pstate *st, const char *text, const char *file)
{
	char *copy = ub_xstrdup(text), *line = copy, *next;
	char *acc = NULL;
	int lineno = 0, start = 0, rc = 0;
	const char *shown = file;

	/* Messages name the file as given (a short name when found by search). */
	while (line && !rc) {
		size_t len;
		int cont;

		next = strchr(line, '\n');
		if (next)
			*next++ = 0;
		lineno++;
		len = strlen(line);
		if (len && line[len - 1] == '\r')
			line[--len] = 0;
		cont = len && line[len - 1] == '\\';
		if (cont)
			line[--len] = 0;
		if (!acc) {
			acc = ub_xstrdup(line);
			start = lineno;
		} else {
			char *n = ub_xasprintf("%s %s", acc, line);

			free(acc);
			acc = n;
		}
		if (cont && next) {
			line = next;
			continue;
		}
		{
			char **tok;
			int ntok;

			rc = tokenize(acc, &tok, &ntok, shown, start);
			if (!rc && ntok)
				rc = parse_line(st, tok, ntok, shown, start);
			if (!rc)
				free_argv(tok, ntok);
		}
		free(acc);
		acc = NULL;
		line = next;
	}
	free(acc);
	free(copy);
	return rc;
}

int profile_parse(const char *text, const char *file, struct ub_profile *p)
{
	struct pstate st;
	const char *base;
	int rc;

	memset(p, 0, sizeof(*p));
	memset(&st, 0, sizeof(st));
	st.p = p;
	ub_strlcpy(p->path, file, sizeof(p->path));
	base = strrchr(file, '/');
	ub_strlcpy(p->name, base ? base + 1 : file, sizeof(p->name));
	rc = parse_text(&st, text, file);
	for (size_t i = 0; i < MAX_COMMANDS; i++)
		free_argv(st.d[i].argv, st.d[i].argc);
	if (rc)
		profile_free(p);
	return rc;
}

int profile_resolve(const char *name, char *path, size_t n)
{
	char dirs[4][PATH_MAX], ed[PATH_MAX];
	const char *env = getenv("UB_PROFILE_DIR");
	int nd = 0;

	if (strchr(name, '/') || access(name, R_OK) == 0) {
		if (access(name, R_OK)) {
			ub_err("profile %s: %s", name, strerror(errno));
			return -1;
		}
		ub_strlcpy(path, name, n);
		return 0;
	}
	if (env && *env)
		ub_strlcpy(dirs[nd++], env, PATH_MAX);
	if (!ub_exe_dir(ed, sizeof(ed))) {
		if (snprintf(dirs[nd], PATH_MAX, "%s/../bench/profiles", ed) < PATH_MAX)
			nd++;
		if (snprintf(dirs[nd], PATH_MAX, "%s/profiles", ed) < PATH_MAX)
			nd++;
	}
	ub_strlcpy(dirs[nd++], "bench/profiles", PATH_MAX);
	for (int i = 0; i < nd; i++) {
		if (snprintf(path, n, "%s/%s", dirs[i], name) >= (int)n)
			continue;
		if (access(path, R_OK) == 0)
			return 0;
	}
	{
		char list[2048] = "";

		for (int i = 0; i < nd; i++) {
			strncat(list, i ? ", " : "", sizeof(list) - strlen(list) - 1);
			strncat(list, dirs[i], sizeof(list) - strlen(list) - 1);
		}
		ub_err("no profile named '%s' (looked in %s; set UB_PROFILE_DIR or "
		       "give a path)", name, list);
	}
	return -1;
}

int profile_load(const char *name, struct ub_profile *p)
{
	char path[PATH_MAX];
	char *text;
	int rc;

	if (profile_resolve(name, path, sizeof(path)))
		return -1;
	{
		char real[PATH_MAX];

		if (realpath(path, real))
			ub_strlcpy(path, real, sizeof(path));
	}
	errno = 0;
	text = read_text(path);
	if (!text) {
		if (errno)
			ub_err("%s: %s", path, strerror(errno));
		return -1;
	}
	rc = profile_parse(text, path, p);
	free(text);
	if (!rc && !strchr(name, '/'))
		ub_strlcpy(p->name, name, sizeof(p->name));
	return rc;
}

void profile_append(struct ub_profile *p, const char *cmd, int argc, char **argv)
{
	for (int i = 0; i < p->n; i++) {
		if (cmd && strcmp(p->lines[i].cmd, cmd))
			continue;
		for (int k = 0; k < argc; k++)
			push(&p->lines[i].argv, &p->lines[i].argc, argv[k]);
	}
}

void profile_free(struct ub_profile *p)
{
	for (int i = 0; i < p->n; i++)
		free_argv(p->lines[i].argv, p->lines[i].argc);
	free(p->lines);
	p->lines = NULL;
	p->n = 0;
}
