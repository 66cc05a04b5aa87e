/* SPDX-License-Identifier: MIT */
/*
 * sr_config_internal.h: the config tree node, shared by the parser (sr_config.c) and the
 * readers of the tree (sr_config_get.c). Code outside the config module uses the
 * accessors of sr_config.h.
 */
#ifndef SR_CONFIG_INTERNAL_H
#define SR_CONFIG_INTERNAL_H

#include "sr_config.h"

SR_BEGIN_DECLS

struct sr_conf {
    char *name;
    char **args;
    int argc;
    int args_cap;
    sr_conf_t **kids;
    int nkids;
    int kids_cap;
    char *file;
    int line;
    int index; /* position in parent->kids, for sr_conf_next() */
    bool is_block;
    bool is_root;
    bool is_override; /* set by sr_conf_override*(), e.g. from an environment variable */
    sr_conf_t *parent;
};

/* A new node (takes name_take, copies file), with no parent yet. */
sr_conf_t *sr_conf__node_new(char *name_take, const char *file, int line);
/* Append an argument (takes arg_take). */
void sr_conf__node_add_arg(sr_conf_t *n, char *arg_take);
/* Append kid as the last child of n. */
void sr_conf__node_add_kid(sr_conf_t *n, sr_conf_t *kid);

/* Whitespace between words: what the tokenizer skips and what dump must quote. */
static inline bool sr_conf__is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v';
}

SR_END_DECLS

#endif
