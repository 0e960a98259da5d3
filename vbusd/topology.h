/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Topology files (vbus-topology(5)): parsed, validated and merged into the
 * desired state. Every problem is collected as "FILE:LINE:COLUMN: PATH:
 * MESSAGE"; a topology with any is not applied at all.
 */
#ifndef VBUSD_TOPOLOGY_H
#define VBUSD_TOPOLOGY_H

#include <stdbool.h>
#include <stdint.h>
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
	unsigned priority;		/* its signals' vector in a guest (default 1) */
	const char *file;
	unsigned line, col;
};

struct topo_bus {
	char *name;
	uid_t owner;
	gid_t group;
	mode_t mode;
	bool local;			/* the host kernel connected (local connector) */
	bool guest;			/* served to a VM guest over ivshmem (doc/abi/guest.md) */
	uint64_t guest_size;		/* its region's bytes */
	unsigned guest_vectors;		/* its MSI-X vectors */
	struct topo_ref *devices;
	size_t n_devices;
	const char *file;
	unsigned line, col;
};

/* Is device class @class known (registered or loadable)? */
typedef bool (*topo_class_known_fn)(const char *class, void *userdata);

struct topology {
	unsigned n_ref;
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

/* A new topology holds one reference; the last topology_unref() frees it. */
int topology_new(topo_class_known_fn class_known, void *userdata, struct topology **ret);
struct topology *topology_ref(struct topology *t);
void topology_unref(struct topology *t);
static inline void topology_unrefp(struct topology **t)
{
	topology_unref(*t);
}

/* Merge the JSON document @text, named @file in messages. -ENOMEM only. */
int topology_add_text(struct topology *t, const char *file, const char *text, size_t len);

/* The *.json files of a directory in name order, read whole: what topologies are made of. */
struct topo_source {
	char *path;
	char *text;
	size_t len;
	int err;	/* -errno when it could not be read */
};

struct topo_sources {
	struct topo_source *v;
	size_t n;
};

/* Append @dir's files but @skip; a missing @dir has none. -ENOMEM or scandir's -errno. */
int topo_sources_read_dir(struct topo_sources *s, const char *dir, const char *skip);
/* Same names, same contents, same read errors? */
bool topo_sources_equal(const struct topo_sources *a, const struct topo_sources *b);
void topo_sources_clear(struct topo_sources *s);
/* Merge each source; one that could not be read is an error of the topology. -ENOMEM only. */
int topology_add_sources(struct topology *t, const struct topo_sources *s);

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
