/* SPDX-License-Identifier: GPL-2.0 OR LGPL-2.1-or-later */
/*
 * The naming rules of vbus, one source for vbus.ko and libvbus (which
 * exports them as vbus_name_valid() and friends, and the texts below for
 * messages): what the kernel accepts is what the tools check before they
 * ask it. doc/vbus-topology.schema.json states the same patterns and
 * tests/unit/test-rules.c holds them to it.
 */
#ifndef VBUS_RULES_H
#define VBUS_RULES_H

#ifdef __KERNEL__
#include <linux/string.h>
#include <linux/types.h>
#include <uapi/linux/vbus.h>
#else
#include <stdbool.h>
#include <string.h>
#include <linux/vbus.h>
#endif

#define VBUS_RULE_NAME_TEXT	"1-64 characters of [A-Za-z0-9._:-], not \".\" or \"..\""
#define VBUS_RULE_CLASS_TEXT	"1-31 characters of [A-Za-z0-9._:-], not \".\" or \"..\""
#define VBUS_RULE_ATTR_TEXT	"1-64 characters of [A-Za-z0-9_-]"

/* A device's priority (configfs devices/<name>/priority): the bound and the default. */
#define VBUS_RULE_PRIORITY_MAX		63
#define VBUS_RULE_PRIORITY_DEFAULT	1
#define VBUS_RULE_PRIORITY_TEXT		"a number from 0 to 63"

/* Is @s 1 to @max characters, each alphanumeric (ASCII) or one of @extra? */
static inline bool vbus_rule_chars(const char *s, size_t max, const char *extra)
{
	size_t len = strlen(s);
	size_t i;

	if (len < 1 || len > max)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      strchr(extra, c)))
			return false;
	}
	return true;
}

/*
 * Bus and device names: a UUID is a valid name, and every name is a safe
 * file name in configfs, sysfs and /dev/vbus.
 */
static inline bool vbus_rule_name(const char *s)
{
	return vbus_rule_chars(s, VBUS_NAME_MAX, "._:-") && strcmp(s, ".") && strcmp(s, "..");
}

/* Device class names: a bus name that fits the uapi's type field. */
static inline bool vbus_rule_class(const char *s)
{
	return vbus_rule_name(s) && strlen(s) < VBUS_TYPE_LEN;
}

/* Class attribute names: a file in /sys/vbus/devices/<name>/ and a JSON key. */
static inline bool vbus_rule_attr(const char *s)
{
	return vbus_rule_chars(s, VBUS_NAME_MAX, "_-");
}

#endif /* VBUS_RULES_H */
