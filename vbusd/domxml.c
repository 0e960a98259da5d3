// SPDX-License-Identifier: GPL-2.0-or-later
/* vbusd: the vbus topology of a libvirt domain's XML (domxml.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"

/* Decode the five entities and character references of text [s, e). */
static char *xml_text(const char *s, const char *e)
{
	char *out = malloc((size_t)(e - s) + 1), *o = out;

	if (!out)
		return NULL;
	while (s < e) {
		static const struct { const char *ent; char c; } ents[] = {
			{ "&lt;", '<' }, { "&gt;", '>' }, { "&amp;", '&' },
			{ "&quot;", '"' }, { "&apos;", '\'' },
		};
		size_t i;

		if (strncmp(s, "<![CDATA[", 9) == 0) {
			const char *end = strstr(s + 9, "]]>");

			if (!end || end > e)
				break;
			memcpy(o, s + 9, (size_t)(end - s - 9));
			o += end - s - 9;
			s = end + 3;
			continue;
		}
		if (*s != '&') {
			*o++ = *s++;
			continue;
		}
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (strncmp(s, ents[i].ent, strlen(ents[i].ent)) == 0)
				break;
		if (i < sizeof(ents) / sizeof(ents[0])) {
			*o++ = ents[i].c;
			s += strlen(ents[i].ent);
		} else if (s[1] == '#') {
			char *end;
			unsigned long c = s[2] == 'x' ? strtoul(s + 3, &end, 16) :
					  strtoul(s + 2, &end, 10);

			*o++ = c < 128 && c ? (char)c : '?';	/* JSON structure is ASCII */
			s = *end == ';' ? end + 1 : end;
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* The text of the first <name> element after <domain. */
static char *domain_name(const char *xml)
{
	const char *d = strstr(xml, "<domain"), *s, *e;

	if (!d)
		return NULL;
	s = strstr(d, "<name>");
	if (!s)
		return NULL;
	s += strlen("<name>");
	e = strstr(s, "</name>");
	return e ? xml_text(s, e) : NULL;
}

/* The start tag holding the namespace declaration at @at, inside <metadata>. */
static int topology_text(const char *xml, char **ret)
{
	const char *md = strstr(xml, "<metadata>"), *mend, *ns, *tag, *gt, *close;
	char name[128], closing[140];
	size_t n;

	*ret = NULL;
	if (!md)
		return 0;
	mend = strstr(md, "</metadata>");
	ns = strstr(md, "\"" VBUS_LIBVIRT_NS "\"");
	if (!ns)
		ns = strstr(md, "'" VBUS_LIBVIRT_NS "'");
	if (!ns || (mend && ns > mend))
		return 0;
	for (tag = ns; tag > md && *tag != '<'; tag--)
		;
	n = strcspn(tag + 1, " \t\r\n/>");
	if (n == 0 || n >= sizeof(name))
		return -EBADMSG;
	memcpy(name, tag + 1, n);
	name[n] = '\0';
	if (strcmp(name, "topology") != 0 &&
	    (n < 9 || strcmp(name + n - 9, ":topology") != 0))
		return -EBADMSG;
	gt = strchr(ns, '>');
	if (!gt)
		return -EBADMSG;
	if (gt[-1] == '/') {
		*ret = strdup("");
		return *ret ? 0 : -ENOMEM;
	}
	snprintf(closing, sizeof(closing), "</%s>", name);
	close = strstr(gt, closing);
	if (!close)
		return -EBADMSG;
	*ret = xml_text(gt + 1, close);
	return *ret ? 0 : -ENOMEM;
}

int domxml_parse(const char *xml, char **ret_name, char **ret_topology)
{
	char *name = domain_name(xml), *topo = NULL;
	int r;

	if (!name)
		return -EBADMSG;
	r = topology_text(xml, &topo);
	if (r < 0) {
		free(name);
		return r;
	}
	*ret_name = name;
	*ret_topology = topo;
	return 0;
}
