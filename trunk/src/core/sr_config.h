/* SPDX-License-Identifier: MIT */
/*
 * sr_config.h: the SRS/nginx-style config file parser, the tree it builds, and
 * typed getters that validate one directive's value and name its file:line on error.
 *
 * Syntax: `name arg...;` and `name arg... { children }`; `#` starts a comment to the
 * end of the line when it starts a token; '...' and "..." quote (a backslash escapes
 * the quote character and the backslash, and `$` inside double quotes); adjacent
 * quoted and bare parts join into one token (`"$HOME"/x`). `$VAR` and `${VAR}` expand
 * from the environment in arguments (bare and double-quoted parts, never single-quoted
 * ones); an unset variable expands to "". `include FILE...;` splices files in place.
 *
 * This file knows syntax only. What a directive means, its default and which
 * directives are allowed where belong to app/ (which resolves the tree into plain
 * structs at load and reload). The tree is immutable once loaded, except for the
 * overrides applied right after loading, before anyone reads it.
 */
#ifndef SR_CONFIG_H
#define SR_CONFIG_H

#include "sr_core.h"

SR_BEGIN_DECLS

struct sr_buf;

/* Blocks nest at most this deep, counted across included files. */
#define SR_CONF_MAX_DEPTH 32
/* Includes nest at most this deep (the loaded file is depth 0). */
#define SR_CONF_MAX_INCLUDE_DEPTH 8
/* A config file larger than this is refused. */
#define SR_CONF_MAX_FILE_BYTES (16 * 1024 * 1024)

/* One node: a directive (name, args, children if it is a block, file:line where it
 * starts), or the root, which has the name "" and holds the top-level directives. */
typedef struct sr_conf sr_conf_t;

/* ---- loading ---- */

/* Parse the file at path into a new tree in *root. A relative `include` is looked up
 * in the including file's directory first, then (as SRS does) in the working
 * directory. Include cycles and includes deeper than SR_CONF_MAX_INCLUDE_DEPTH are
 * refused. The caller owns *root and frees it with sr_conf_free(). On error *root is
 * NULL and the trail says "file:line: reason" (for a nested include, also where it
 * was included from).
 * Errors: -SR_EFILE_OPEN (missing file or include), -SR_EFILE_READ,
 * -SR_ECONFIG_SYNTAX (bad syntax), -SR_ECONFIG (include cycle or depth, file too big). */
int sr_conf_load_file(const char *path, sr_conf_t **root);

/* As sr_conf_load_file() over the NUL-terminated text (borrowed); errors name the
 * source name_for_errors (borrowed; NULL means "<string>"), and relative includes are
 * looked up in the working directory. */
int sr_conf_load_string(const char *text, const char *name_for_errors, sr_conf_t **root);

/* Free a tree returned by a load function. NULL is a no-op. Only roots may be freed. */
void sr_conf_free(sr_conf_t *root);

/* ---- overrides (sr_config_edit.c): only on a tree nobody reads yet ---- */

/* Set the directive at the dotted path under at (the root or a block, "http_api.listen")
 * to the whitespace-separated words of value (borrowed; no quoting or $VAR expansion).
 * Missing blocks on the way and a missing directive are created at the end of their
 * block; an existing directive (the first of that name) keeps its place and gets the
 * new arguments. Every node created or set is marked (sr_conf_is_override) and names
 * origin (borrowed, e.g. "env SRS_LISTEN") as its file, with line 0, so getter errors
 * name it instead of file:line.
 * Errors: -SR_EINVAL (NULL or empty path step), -SR_ECONFIG (a step is a plain
 * directive, or the target is a block). */
int sr_conf_override(sr_conf_t *at, const char *path, const char *value, const char *origin);

/* sr_conf_override() under every top-level block of root named block (every `vhost`);
 * when there is none, first append `block default_arg { }` (`vhost __defaultVhost__`).
 * Errors: as sr_conf_override(). */
int sr_conf_override_blocks(sr_conf_t *root, const char *block, const char *default_arg, const char *path,
                            const char *value, const char *origin);

/* True if n was created or set by an override. */
bool sr_conf_is_override(const sr_conf_t *n);

/* ---- accessors: every one accepts n == NULL (and then returns NULL, 0 or "") ---- */

/* The directive name ("" for the root). Owned by the tree. */
const char *sr_conf_name(const sr_conf_t *n);
/* Number of arguments. */
int sr_conf_argc(const sr_conf_t *n);
/* Argument i (0-based), owned by the tree, or NULL if i is out of range. */
const char *sr_conf_arg(const sr_conf_t *n, int i);
/* The file the directive came from (for the root: the loaded file). Owned by the tree. */
const char *sr_conf_file(const sr_conf_t *n);
/* The 1-based line where the directive's name is (0 for the root). */
int sr_conf_line(const sr_conf_t *n);
/* True if the directive was written with a { } block, even an empty one. */
bool sr_conf_is_block(const sr_conf_t *n);
/* Number of children (directives inside the block). */
int sr_conf_child_count(const sr_conf_t *n);
/* Child i, or NULL if i is out of range. Borrowed from the tree. */
const sr_conf_t *sr_conf_child_at(const sr_conf_t *n, int i);
/* The first child named name, or NULL. Borrowed from the tree. */
const sr_conf_t *sr_conf_get(const sr_conf_t *n, const char *name);
/* Follow a dotted path of first-children ("http_api.auth.username"), or NULL if any
 * step is missing. Borrowed from the tree. */
const sr_conf_t *sr_conf_get_path(const sr_conf_t *n, const char *path);
/* The next child of n named name after child (child NULL: the first), or NULL.
 * Iterate: for (c = sr_conf_next(n, NULL, "vhost"); c; c = sr_conf_next(n, c, "vhost")).
 * child must be a child of n. */
const sr_conf_t *sr_conf_next(const sr_conf_t *n, const sr_conf_t *child, const char *name);

/* ---- typed getters: n is the directive itself; NULL (absent) yields the default ---- */

/* The first argument, or dflt if n is NULL or has no argument. Owned by the tree. */
const char *sr_conf_str(const sr_conf_t *n, const char *dflt);

/* Read n's single argument as a boolean: on|off, true|false, yes|no (any case).
 * *out is dflt when n is NULL and on error.
 * Errors: -SR_ECONFIG with "file:line: directive ..." (no value, several values, other word). */
int sr_conf_bool(const sr_conf_t *n, bool dflt, bool *out);

/* Read n's single argument as a base-10 integer in [min, max]. *out is dflt when n is
 * NULL and on error. Errors: -SR_ECONFIG with "file:line: ..." (not a number, out of range). */
int sr_conf_int(const sr_conf_t *n, long dflt, long min, long max, long *out);

/* Read n's single argument as a finite decimal number. *out is dflt when n is NULL
 * and on error. Errors: -SR_ECONFIG with "file:line: ...". */
int sr_conf_double(const sr_conf_t *n, double dflt, double *out);
/* sr_conf_double, refused with file:line when outside [min, max]. */
int sr_conf_double_range(const sr_conf_t *n, double dflt, double min, double max, double *out);

/* ---- whole trees ---- */

/* Append n to out in canonical syntax: 4-space indents, one directive per line,
 * arguments double-quoted when they need it (so parsing the dump gives an equal tree).
 * For the root, its children; for any other node, that directive and its block. */
void sr_conf_dump(const sr_conf_t *n, struct sr_buf *out);

/* Deep equality of names, arguments, block-ness and children (in order); file and
 * line are ignored. Two NULLs are equal. */
bool sr_conf_equal(const sr_conf_t *a, const sr_conf_t *b);

SR_END_DECLS

#endif
