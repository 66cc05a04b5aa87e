/* SPDX-License-Identifier: MIT */
/*
 * sr_main.h: the process-wide state, all of it. Globals live only in main/ and only
 * here: the running server and the path of the config it was started with.
 */
#ifndef SR_MAIN_H
#define SR_MAIN_H

#include "sr_server.h"

extern sr_server_t *sr_main_server;
extern const char *sr_main_config_path;

#endif
