/* SPDX-License-Identifier: MIT */
/*
 * sr_config.c: tokenizer, parser and tree building of the config file (see
 * sr_config.h for the syntax; reading the tree is sr_config_get.c). The parser is a loop over tokens with an explicit
 * block pointer, so a file cannot drive recursion; the only recursion is `include`
 * (bounded by SR_CONF_MAX_INCLUDE_DEPTH) and the tree walks (bounded by
 * SR_CONF_MAX_DEPTH). Nothing here knows what any directive means.
 */
#include "sr_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sr_alloc.h"
#include "sr_bytes.h"
#include "sr_config_internal.h"
#include "sr_error.h"

/* ---- tree ---- */

sr_conf_t *sr_conf__node_new(char *name_take, const char *file, int line)
{
    sr_conf_t *n = SR_NEW(sr_conf_t);
    n->name = name_take;
    n->file = sr_strdup(file);
    n->line = line;
    return n;
}

void sr_conf__node_add_arg(sr_conf_t *n, char *arg_take)
{
    if (n->argc == n->args_cap) {
        n->args_cap = n->args_cap ? n->args_cap * 2 : 4;
        n->args = sr_realloc(n->args, sizeof(char *) * (size_t)n->args_cap);
    }
    n->args[n->argc++] = arg_take;
}

void sr_conf__node_add_kid(sr_conf_t *n, sr_conf_t *kid)
{
    if (n->nkids == n->kids_cap) {
        n->kids_cap = n->kids_cap ? n->kids_cap * 2 : 4;
        n->kids = sr_realloc(n->kids, sizeof(sr_conf_t *) * (size_t)n->kids_cap);
    }
    kid->parent = n;
    kid->index = n->nkids;
    n->kids[n->nkids++] = kid;
}

/* Depth is bounded by SR_CONF_MAX_DEPTH, so recursion is safe here. */
static void sr_conf_node_free(sr_conf_t *n)
{
    if (!n) {
        return;
    }
    for (int i = 0; i < n->nkids; i++) {
        sr_conf_node_free(n->kids[i]);
    }
    for (int i = 0; i < n->argc; i++) {
        sr_free(n->args[i]);
    }
    sr_free(n->kids);
    sr_free(n->args);
    sr_free(n->name);
    sr_free(n->file);
    sr_free(n);
}

void sr_conf_free(sr_conf_t *root)
{
    sr_conf_node_free(root);
}

/* ---- tokenizer ---- */

enum { SR_CONF_TOK_WORD, SR_CONF_TOK_SEMI, SR_CONF_TOK_OPEN, SR_CONF_TOK_CLOSE, SR_CONF_TOK_EOF };

typedef struct sr_conf_lex {
    const char *file; /* for messages and node locations */
    const char *p;
    const char *end;
    int line;
    int tok_line; /* line where the last token started */
} sr_conf_lex_t;

static bool sr_conf_is_name_char(char c, bool first)
{
    return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (!first && c >= '0' && c <= '9');
}

/* Skip whitespace and comments; a '#' only starts a comment where a token would. */
static void sr_conf_lex_skip(sr_conf_lex_t *lx)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == '#') {
            while (lx->p < lx->end && *lx->p != '\n') {
                lx->p++;
            }
            continue;
        }
        if (!sr_conf__is_space(c)) {
            return;
        }
        if (c == '\n') {
            lx->line++;
        }
        lx->p++;
    }
}

/* At '$': append the value of $NAME or ${NAME} to w; a '$' not followed by a name
 * is kept literally. */
static int sr_conf_lex_var(sr_conf_lex_t *lx, sr_buf_t *w)
{
    const char *s = lx->p + 1;
    bool braced = s < lx->end && *s == '{';
    if (braced) {
        s++;
    }
    const char *e = s;
    while (e < lx->end && sr_conf_is_name_char(*e, e == s)) {
        e++;
    }
    if (e == s || (braced && (e >= lx->end || *e != '}'))) {
        if (braced) {
            return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: bad ${...} variable reference", lx->file, lx->line);
        }
        sr_buf_put_u8(w, '$');
        lx->p++;
        return SR_OK;
    }
    char name[256];
    size_t len = (size_t)(e - s);
    if (len >= sizeof(name)) {
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: variable name too long", lx->file, lx->line);
    }
    memcpy(name, s, len);
    name[len] = '\0';
    const char *v = getenv(name);
    if (v) {
        sr_buf_put_str(w, v);
    }
    lx->p = braced ? e + 1 : e;
    return SR_OK;
}

/* At a quote: append the quoted text (escapes resolved) to w. */
static int sr_conf_lex_quoted(sr_conf_lex_t *lx, bool expand, sr_buf_t *w)
{
    char q = *lx->p++;
    int start_line = lx->line;
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (c == q) {
            lx->p++;
            return SR_OK;
        }
        if (c == '\\' && lx->p + 1 < lx->end) {
            char nx = lx->p[1];
            if (nx == q || nx == '\\' || (q == '"' && nx == '$')) {
                sr_buf_put_u8(w, (uint8_t)nx);
                lx->p += 2;
                continue;
            }
        }
        if (c == '$' && q == '"' && expand) {
            int rc = sr_conf_lex_var(lx, w);
            if (rc != SR_OK) {
                return rc;
            }
            continue;
        }
        if (c == '\n') {
            lx->line++;
        }
        sr_buf_put_u8(w, (uint8_t)c);
        lx->p++;
    }
    return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: unterminated %s quote", lx->file, start_line,
                      q == '"' ? "double" : "single");
}

/* A word: bare and quoted parts up to whitespace or ; { }. */
static int sr_conf_lex_word(sr_conf_lex_t *lx, bool expand, sr_buf_t *w)
{
    while (lx->p < lx->end) {
        char c = *lx->p;
        if (sr_conf__is_space(c) || c == ';' || c == '{' || c == '}') {
            break;
        }
        int rc = SR_OK;
        if (c == '"' || c == '\'') {
            rc = sr_conf_lex_quoted(lx, expand, w);
        } else if (c == '$' && expand) {
            rc = sr_conf_lex_var(lx, w);
        } else {
            sr_buf_put_u8(w, (uint8_t)c);
            lx->p++;
        }
        if (rc != SR_OK) {
            return rc;
        }
    }
    sr_buf_put_u8(w, '\0');
    return SR_OK;
}

/* Next token into *tok; for a word, its NUL-terminated text is in w. expand: resolve
 * $VAR (arguments only, never directive names). */
static int sr_conf_lex_next(sr_conf_lex_t *lx, bool expand, sr_buf_t *w, int *tok)
{
    sr_conf_lex_skip(lx);
    lx->tok_line = lx->line;
    if (lx->p >= lx->end) {
        *tok = SR_CONF_TOK_EOF;
        return SR_OK;
    }
    static const char specials[] = ";{}"; /* in SR_CONF_TOK_SEMI, _OPEN, _CLOSE order */
    const char *sp = *lx->p ? strchr(specials, *lx->p) : NULL;
    if (sp) {
        *tok = SR_CONF_TOK_SEMI + (int)(sp - specials);
        lx->p++;
        return SR_OK;
    }
    *tok = SR_CONF_TOK_WORD;
    sr_buf_reset(w);
    return sr_conf_lex_word(lx, expand, w);
}

/* ---- parser ---- */

typedef struct sr_conf_parser {
    sr_conf_t *cur;                             /* the block directives are added to */
    int depth;                                  /* block depth of cur, across includes */
    int incl_depth;                             /* include nesting of the file being parsed */
    char *chain[SR_CONF_MAX_INCLUDE_DEPTH + 1]; /* real paths of the files being parsed (malloc) */
    int nchain;
    sr_buf_t word;
} sr_conf_parser_t;

/* The state of one file being parsed. */
typedef struct sr_conf_unit {
    sr_conf_lex_t lx;
    bool rel_to_file; /* relative includes look in this file's directory first */
    int entry_depth;  /* a '}' may not close blocks opened by an including file */
    sr_conf_t *d;     /* the directive being read, not yet attached */
} sr_conf_unit_t;

static int sr_conf_parse_text(sr_conf_parser_t *ps, const char *file, bool rel_to_file, const char *text, size_t len);

static int sr_conf_read_file(const char *path, const char *from, int from_line, sr_buf_t *out)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (from) {
            return sr_err_new(SR_EFILE_OPEN, "%s:%d: include %s: %s", from, from_line, path, strerror(errno));
        }
        return sr_err_new(SR_EFILE_OPEN, "%s: %s", path, strerror(errno));
    }
    size_t n;
    do {
        sr_buf_reserve(out, 4096);
        n = fread(out->data + out->len, 1, 4096, f);
        out->len += n;
    } while (n > 0 && out->len <= SR_CONF_MAX_FILE_BYTES);
    int err = ferror(f);
    fclose(f);
    if (err) {
        return sr_err_new(SR_EFILE_READ, "%s: read failed", path);
    }
    if (out->len > SR_CONF_MAX_FILE_BYTES) {
        return sr_err_new(SR_ECONFIG, "%s: larger than %d bytes", path, SR_CONF_MAX_FILE_BYTES);
    }
    const uint8_t *nul = memchr(out->data, 0, out->len);
    if (nul) {
        int line = 1;
        for (const uint8_t *p = out->data; p < nul; p++) {
            line += *p == '\n';
        }
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: NUL byte in config", path, line);
    }
    return SR_OK;
}

/* Where a relative include lives: next to the including file if it exists there,
 * else relative to the working directory (SRS resolves includes from the cwd). */
static char *sr_conf_include_path(const sr_conf_unit_t *u, const char *arg)
{
    const char *slash = strrchr(u->lx.file, '/');
    if (arg[0] == '/' || !u->rel_to_file || !slash) {
        return sr_strdup(arg);
    }
    size_t dlen = (size_t)(slash - u->lx.file);
    size_t alen = strlen(arg);
    char *p = sr_malloc(dlen + 1 + alen + 1);
    memcpy(p, u->lx.file, dlen);
    p[dlen] = '/';
    memcpy(p + dlen + 1, arg, alen + 1);
    if (access(p, F_OK) != 0 && access(arg, F_OK) == 0) {
        sr_free(p);
        return sr_strdup(arg);
    }
    return p;
}

/* Push path's real path on the include chain unless that makes a cycle. */
static int sr_conf_chain_push(sr_conf_parser_t *ps, const char *path, const char *from, int from_line)
{
    char *real = realpath(path, NULL);
    if (!real) {
        return sr_err_new(SR_EFILE_OPEN, "%s:%d: include %s: %s", from, from_line, path, strerror(errno));
    }
    for (int i = 0; i < ps->nchain; i++) {
        if (strcmp(ps->chain[i], real) == 0) {
            free(real);
            return sr_err_new(SR_ECONFIG, "%s:%d: include %s: include cycle", from, from_line, path);
        }
    }
    ps->chain[ps->nchain++] = real;
    return SR_OK;
}

static int sr_conf_include_one(sr_conf_parser_t *ps, const sr_conf_unit_t *u, const char *arg, int line)
{
    if (ps->incl_depth >= SR_CONF_MAX_INCLUDE_DEPTH) {
        return sr_err_new(SR_ECONFIG, "%s:%d: include %s: includes nested deeper than %d", u->lx.file, line, arg,
                          SR_CONF_MAX_INCLUDE_DEPTH);
    }
    char *path = sr_conf_include_path(u, arg);
    int rc = sr_conf_chain_push(ps, path, u->lx.file, line);
    if (rc != SR_OK) {
        sr_free(path);
        return rc;
    }
    sr_buf_t text;
    sr_buf_init(&text);
    rc = sr_conf_read_file(path, u->lx.file, line, &text);
    if (rc == SR_OK) {
        ps->incl_depth++;
        rc = sr_conf_parse_text(ps, path, true, (const char *)text.data, text.len);
        ps->incl_depth--;
        if (rc != SR_OK) {
            rc = sr_err_wrap(rc, "included from %s:%d", u->lx.file, line);
        }
    }
    free(ps->chain[--ps->nchain]);
    sr_buf_deinit(&text);
    sr_free(path);
    return rc;
}

/* `include FILE...;` splices each file into the current block. */
static int sr_conf_include(sr_conf_parser_t *ps, sr_conf_unit_t *u)
{
    sr_conf_t *d = u->d;
    u->d = NULL;
    int rc = SR_OK;
    if (d->argc == 0) {
        rc = sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: include needs a file name", d->file, d->line);
    }
    for (int i = 0; i < d->argc && rc == SR_OK; i++) {
        rc = sr_conf_include_one(ps, u, d->args[i], d->line);
    }
    sr_conf_node_free(d);
    return rc;
}

static int sr_conf_on_word(sr_conf_parser_t *ps, sr_conf_unit_t *u)
{
    char *w = sr_strdup((const char *)ps->word.data);
    if (!u->d) {
        u->d = sr_conf__node_new(w, u->lx.file, u->lx.tok_line);
    } else {
        sr_conf__node_add_arg(u->d, w);
    }
    return SR_OK;
}

static int sr_conf_on_semi(sr_conf_parser_t *ps, sr_conf_unit_t *u)
{
    if (!u->d) {
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: unexpected ';' (empty directive)", u->lx.file, u->lx.tok_line);
    }
    if (strcmp(u->d->name, "include") == 0) {
        return sr_conf_include(ps, u);
    }
    sr_conf__node_add_kid(ps->cur, u->d);
    u->d = NULL;
    return SR_OK;
}

static int sr_conf_on_open(sr_conf_parser_t *ps, sr_conf_unit_t *u)
{
    if (!u->d) {
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: unexpected '{' without a directive name", u->lx.file,
                          u->lx.tok_line);
    }
    if (strcmp(u->d->name, "include") == 0) {
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: include cannot have a block", u->d->file, u->d->line);
    }
    if (ps->depth >= SR_CONF_MAX_DEPTH) {
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: blocks nested deeper than %d", u->d->file, u->d->line,
                          SR_CONF_MAX_DEPTH);
    }
    u->d->is_block = true;
    sr_conf__node_add_kid(ps->cur, u->d);
    ps->cur = u->d;
    ps->depth++;
    u->d = NULL;
    return SR_OK;
}

static int sr_conf_on_close(sr_conf_parser_t *ps, sr_conf_unit_t *u)
{
    if (u->d) {
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: missing ';' after '%s' (before '}' at line %d)", u->d->file,
                          u->d->line, u->d->name, u->lx.tok_line);
    }
    if (ps->depth == u->entry_depth) {
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: unexpected '}'", u->lx.file, u->lx.tok_line);
    }
    ps->cur = ps->cur->parent;
    ps->depth--;
    return SR_OK;
}

static int sr_conf_on_eof(sr_conf_parser_t *ps, sr_conf_unit_t *u)
{
    if (u->d) {
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: missing ';' after '%s' at end of file", u->d->file, u->d->line,
                          u->d->name);
    }
    if (ps->depth > u->entry_depth) {
        return sr_err_new(SR_ECONFIG_SYNTAX, "%s:%d: block '%s' is not closed at end of file (line %d)", ps->cur->file,
                          ps->cur->line, ps->cur->name, u->lx.line);
    }
    return SR_OK;
}

typedef int (*sr_conf_handler_fn)(sr_conf_parser_t *ps, sr_conf_unit_t *u);

static const sr_conf_handler_fn sr_conf_handlers[] = {
    [SR_CONF_TOK_WORD] = sr_conf_on_word,   [SR_CONF_TOK_SEMI] = sr_conf_on_semi, [SR_CONF_TOK_OPEN] = sr_conf_on_open,
    [SR_CONF_TOK_CLOSE] = sr_conf_on_close, [SR_CONF_TOK_EOF] = sr_conf_on_eof,
};

static int sr_conf_parse_text(sr_conf_parser_t *ps, const char *file, bool rel_to_file, const char *text, size_t len)
{
    sr_conf_unit_t u = {.rel_to_file = rel_to_file, .entry_depth = ps->depth};
    u.lx.file = file;
    u.lx.p = text;
    u.lx.end = text + len;
    u.lx.line = 1;
    /* skip a UTF-8 byte order mark */
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0) {
        u.lx.p += 3;
    }
    int rc = SR_OK;
    int tok = SR_CONF_TOK_WORD;
    while (rc == SR_OK && tok != SR_CONF_TOK_EOF) {
        rc = sr_conf_lex_next(&u.lx, u.d != NULL, &ps->word, &tok);
        if (rc != SR_OK) {
            break;
        }
        rc = sr_conf_handlers[tok](ps, &u);
    }
    sr_conf_node_free(u.d);
    return rc;
}

static int sr_conf_load(const char *file, bool is_file, const char *text, size_t len, sr_conf_t **root)
{
    sr_conf_parser_t ps;
    memset(&ps, 0, sizeof(ps));
    sr_buf_init(&ps.word);
    sr_conf_t *r = sr_conf__node_new(sr_strdup(""), file, 0);
    r->is_root = true;
    r->is_block = true;
    ps.cur = r;
    /* the loaded file heads the include chain, so including it again is a cycle */
    if (is_file) {
        ps.chain[0] = realpath(file, NULL);
        ps.nchain = ps.chain[0] ? 1 : 0;
    }
    int rc = sr_conf_parse_text(&ps, file, is_file, text, len);
    while (ps.nchain > 0) {
        free(ps.chain[--ps.nchain]);
    }
    sr_buf_deinit(&ps.word);
    if (rc != SR_OK) {
        sr_conf_node_free(r);
        r = NULL;
    }
    *root = r;
    return rc;
}

int sr_conf_load_file(const char *path, sr_conf_t **root)
{
    *root = NULL;
    sr_buf_t text;
    sr_buf_init(&text);
    int rc = sr_conf_read_file(path, NULL, 0, &text);
    if (rc == SR_OK) {
        rc = sr_conf_load(path, true, (const char *)text.data, text.len, root);
    }
    sr_buf_deinit(&text);
    return rc;
}

int sr_conf_load_string(const char *text, const char *name_for_errors, sr_conf_t **root)
{
    return sr_conf_load(name_for_errors ? name_for_errors : "<string>", false, text, strlen(text), root);
}
