// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * libvbus: the one home of every rule a name or value given to vbus follows.
 * The name rules are the kernel's own (kmod/vbus_rules.h, compiled into
 * vbus.ko too); the parsers of users, groups and modes are what vbusctl and
 * vbusd accept; the texts are what they print when a value breaks a rule.
 */
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include <vbus/vbus.h>

#include "libvbus-private.h"
#include "vbus_rules.h"

/* The largest uid or gid: (uid_t)-1 means "no change" to chown(2). */
#define VBUS_ID_MAX	4294967294UL

_Static_assert(VBUS_PRIORITY_MAX == VBUS_RULE_PRIORITY_MAX &&
	       VBUS_PRIORITY_DEFAULT == VBUS_RULE_PRIORITY_DEFAULT,
	       "vbus.h states the kernel's priority rule");

VBUS_EXPORT bool vbus_name_valid(const char *name)
{
	return name && vbus_rule_name(name);
}

VBUS_EXPORT bool vbus_class_name_valid(const char *name)
{
	return name && vbus_rule_class(name);
}

VBUS_EXPORT bool vbus_attr_name_valid(const char *name)
{
	return name && vbus_rule_attr(name);
}

VBUS_EXPORT const char *vbus_rule_text(enum vbus_rule rule)
{
	static const char *const text[] = {
		[VBUS_RULE_NAME] = VBUS_RULE_NAME_TEXT,
		[VBUS_RULE_CLASS] = VBUS_RULE_CLASS_TEXT,
		[VBUS_RULE_ATTR] = VBUS_RULE_ATTR_TEXT,
		[VBUS_RULE_MODE] = "octal, at most 0777",
		[VBUS_RULE_USER] = "no such user",
		[VBUS_RULE_GROUP] = "no such group",
		[VBUS_RULE_PRIORITY] = VBUS_RULE_PRIORITY_TEXT,
	};

	return (unsigned int)rule < sizeof(text) / sizeof(text[0]) ? text[rule] : NULL;
}

/* 1 to @ndigits decimal or octal digits, at most @max, into *@ret. */
static int parse_digits(const char *s, int base, size_t ndigits, unsigned long max,
			unsigned long *ret)
{
	size_t len = strlen(s);
	unsigned long v;

	if (len < 1 || len > ndigits || strspn(s, base == 8 ? "01234567" : "0123456789") != len)
		return -EINVAL;
	v = strtoul(s, NULL, base);
	if (v > max)
		return -EINVAL;
	*ret = v;
	return 0;
}

/* As the schema says: "^0?[0-7]{1,3}$", so at most 0777. */
VBUS_EXPORT int vbus_mode_parse(const char *s, mode_t *ret_mode)
{
	unsigned long v;
	int r;

	if (!s || !ret_mode)
		return -EINVAL;
	r = parse_digits(s, 8, 4, 0777, &v);
	if (r < 0)
		return r;
	*ret_mode = v;
	return 0;
}

/* As the kernel takes it (configfs devices/<name>/priority) and the schema says: 0 to 63. */
VBUS_EXPORT int vbus_priority_parse(const char *s, unsigned int *ret_priority)
{
	unsigned long v;
	int r;

	if (!s || !ret_priority)
		return -EINVAL;
	r = parse_digits(s, 10, 2, VBUS_PRIORITY_MAX, &v);
	if (r < 0)
		return r;
	*ret_priority = v;
	return 0;
}

/* A user (@group false) or group name, or a number; -ENOENT if neither. */
static int parse_id(const char *s, bool group, unsigned long *ret)
{
	struct passwd *pw;
	struct group *gr;

	if (!s || !*s)
		return -EINVAL;
	gr = group ? getgrnam(s) : NULL;
	pw = group ? NULL : getpwnam(s);
	if (gr || pw) {
		*ret = gr ? gr->gr_gid : pw->pw_uid;
		return 0;
	}
	return parse_digits(s, 10, 10, VBUS_ID_MAX, ret) < 0 ? -ENOENT : 0;
}

VBUS_EXPORT int vbus_user_parse(const char *s, uid_t *ret_uid)
{
	unsigned long v;
	int r;

	if (!ret_uid)
		return -EINVAL;
	r = parse_id(s, false, &v);
	if (r == 0)
		*ret_uid = v;
	return r;
}

VBUS_EXPORT int vbus_group_parse(const char *s, gid_t *ret_gid)
{
	unsigned long v;
	int r;

	if (!ret_gid)
		return -EINVAL;
	r = parse_id(s, true, &v);
	if (r == 0)
		*ret_gid = v;
	return r;
}
