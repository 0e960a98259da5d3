/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A vbus topology in a libvirt domain's <metadata> (doc/vbusd.md, "libvirt"):
 *
 *   <metadata>
 *     <vbus:topology xmlns:vbus="https://vbus.invalid/xmlns/libvirt/1">
 *       { "buses": [ ... ], "devices": [ ... ] }
 *     </vbus:topology>
 *   </metadata>
 *
 * The hook must not call back into libvirt, and the element's text is JSON,
 * so a small reader of the domain XML does: the domain name and the text of
 * the element of that namespace (entities and CDATA decoded).
 */
#ifndef VBUSD_DOMXML_H
#define VBUSD_DOMXML_H

#define VBUS_LIBVIRT_NS "https://vbus.invalid/xmlns/libvirt/1"

/*
 * From the domain XML @xml: its name into *ret_name and the topology text
 * into *ret_topology (NULL: the domain has none); free() both.
 * -EBADMSG: not a domain's XML.
 */
int domxml_parse(const char *xml, char **ret_name, char **ret_topology);

#endif
