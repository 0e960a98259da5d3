/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Topology files (vbus-topology(5)): parsed, validated and merged into the
 * desired state. Every problem is collected as "FILE:LINE:COLUMN: PATH:
 * MESSAGE"; a topology with any is not applied at all.
 */
#ifndef VBUSD_TOPOLOGY_H
#define VBUSD_TOPOLOGY_H

#include <stdbool.h>
#include <sys/types.h>

#include "util.h"

struct topo_attr {
	char *name;
	char *value;
};

struct topo_ref {
	char *name;
	char *path;	/* its JSON path */
	unsigned line, col;
};

struct topo_device {
	char *name;
	char *class;
	struct topo_attr *attrs;
	size_t n_attrs;
	const char *file;
	unsigned line, col;
};

struct topo_bus {
	char *name;
	uid_t owner;
	gid_t group;
	mode_t mode;
	struct topo_ref *devices;
	size_t n_devices;
	const char *file;
	unsigned line, col;
};

/* Is device class @class known (registered or loadable)? */
typedef bool (*topo_class_known_fn)(const char *class, void *userdata);

struct topology {
	struct topo_bus **buses;
	size_t n_buses;
	struct topo_device **devices;
	size_t n_devices;
	struct namemap bus_by_name, device_by_name;
	char **files;
	size_t n_files;
	char **errors;
	size_t n_errors;
	uid_t default_owner;	/* of buses that name none, in files added from now */
	topo_class_known_fn class_known;
	void *userdata;
};

int topology_new(topo_class_known_fn class_known, void *userdata, struct topology **ret);
void topology_free(struct topology *t);
static inline void topology_freep(struct topology **t)
{
	topology_free(*t);
}

/* Merge the JSON document @text, named @file in messages. -ENOMEM only. */
int topology_add_text(struct topology *t, const char *file, const char *text, size_t len);
/* Merge a file; a file that cannot be read is an error of the topology. */
int topology_add_file(struct topology *t, const char *path);
/*
 * Merge the *.json files of @dir in name order, leaving out the one named
 * @skip (NULL: none). A missing directory is an empty topology.
 */
int topology_add_dir(struct topology *t, const char *dir, const char *skip);
/* Cross-file checks once everything is merged (device references). */
int topology_finish(struct topology *t);

static inline bool topology_valid(const struct topology *t)
{
	return t->n_errors == 0;
}

struct topo_bus *topology_get_bus(struct topology *t, const char *name);
struct topo_device *topology_get_device(struct topology *t, const char *name);
/* Does bus @b list device @dev? */
bool topo_bus_has_device(const struct topo_bus *b, const char *dev);

#endif
