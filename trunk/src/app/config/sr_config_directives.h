/* SPDX-License-Identifier: MIT */
/*
 * sr_config_directives.h: the table of directive names SRS configs use, and whether
 * Strand acts on each yet. Walking a config against it yields one warning per
 * unknown or not-yet-supported directive, so a real SRS config still loads and the
 * operator sees exactly what is ignored.
 */
#ifndef SR_CONFIG_DIRECTIVES_H
#define SR_CONFIG_DIRECTIVES_H

#include "sr_config.h"
#include "sr_core.h"

SR_BEGIN_DECLS

/* Log a warning for each directive under root that is unknown or not supported yet.
 * Returns how many warnings were logged. */
int sr_config_directives_check(const sr_conf_t *root);

SR_END_DECLS

#endif
