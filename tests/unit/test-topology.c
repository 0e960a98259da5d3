// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: vbusd's topology parser and validator (vbusd/topology.c, jsonpos.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domxml.h"
#include "jsonpos.h"
#include "topology.h"

static bool class_known(const char *class, void *userdata)
{
	return strcmp(class, "test") == 0 || strcmp(class, "venet-tap") == 0;
}

static struct topology *parse(const char *name, const char *text)
{
	struct topology *t;

	assert_int_equal(topology_new(class_known, NULL, &t), 0);
	assert_int_equal(topology_add_text(t, name, text, strlen(text)), 0);
	return t;
}

static void assert_one_error(struct topology *t, const char *expected)
{
	if (t->n_errors != 1 || strcmp(t->errors[0], expected) != 0) {
		for (size_t i = 0; i < t->n_errors; i++)
			print_error("error: %s\n", t->errors[i]);
		fail_msg("expected exactly: %s", expected);
	}
}

static void test_issue_shape(void **state)
{
	static const char text[] =
		"{ \"buses\": [ { \"name\": \"vm1\", \"owner\": \"root\", \"group\": 0,\n"
		"                 \"mode\": \"0660\", \"devices\": [\"net0\"] } ],\n"
		"  \"devices\": [ { \"name\": \"net0\", \"class\": \"venet-tap\",\n"
		"                   \"attributes\": { \"ifname\": \"vt-vm1\", \"mtu\": 9000,\n"
		"                                   \"enabled\": true } } ] }\n";
	struct topology *t = parse("a.json", text);
	struct topo_device *d;
	struct topo_bus *b;

	assert_int_equal(topology_finish(t), 0);
	assert_true(topology_valid(t));
	b = topology_get_bus(t, "vm1");
	assert_non_null(b);
	assert_int_equal(b->mode, 0660);
	assert_int_equal(b->owner, 0);
	assert_int_equal(b->n_devices, 1);
	assert_int_equal(b->line, 1);
	assert_int_equal(b->col, 14);
	d = topology_get_device(t, "net0");
	assert_non_null(d);
	assert_string_equal(d->class, "venet-tap");
	assert_int_equal(d->n_attrs, 3);
	assert_string_equal(d->attrs[1].value, "9000");
	assert_string_equal(d->attrs[2].value, "1");
	assert_int_equal(d->line, 3);
	topology_unref(t);
}

static void test_syntax_error(void **state)
{
	struct topology *t = parse("bad.json", "{ \"buses\": [\n  { \"name\": \"b\" \n  ] }");

	assert_one_error(t, "bad.json:3:3: $.buses[0]: '}' expected near ']'");
	topology_unref(t);
}

static void test_unknown_key(void **state)
{
	struct topology *t = parse("k.json", "{\"buses\": [{\"name\": \"b\",\n \"colour\": 1}]}");

	assert_one_error(t, "k.json:2:2: $.buses[0].colour: unknown key \"colour\"");
	topology_unref(t);
}

static void test_bad_values(void **state)
{
	struct topology *t = parse("v.json",
				   "{\"buses\": [{\"name\": \"a b\", \"mode\": \"999\"}],\n"
				   " \"devices\": [{\"name\": \"d\", \"class\": \"nope\"}]}");

	assert_int_equal(t->n_errors, 3);
	assert_string_equal(t->errors[0],
			    "v.json:2:37: $.devices[0].class: unknown device class \"nope\"");
	assert_string_equal(t->errors[1], "v.json:1:21: $.buses[0].name: invalid bus name \"a b\": "
			    "1-64 characters of [A-Za-z0-9._:-], not \".\" or \"..\"");
	assert_string_equal(t->errors[2],
			    "v.json:1:36: $.buses[0].mode: invalid mode \"999\": octal, at most 0777");
	topology_unref(t);
}

static void test_types(void **state)
{
	struct topology *t = parse("t.json", "{\"devices\": {}}");

	assert_one_error(t, "t.json:1:13: $.devices: \"devices\" must be an array, not an object");
	topology_unref(t);
	t = parse("t.json", "{\"devices\": [{\"name\": \"d\", \"class\": \"test\", "
			    "\"attributes\": {\"x\": [1]}}]}");
	assert_one_error(t, "t.json:1:65: $.devices[0].attributes.x: an attribute must be a string, "
			 "an integer or a boolean, not an array");
	topology_unref(t);
	t = parse("t.json", "{\"buses\": [{\"name\": \"b\", \"owner\": \"no-such-user-x\"}]}");
	assert_one_error(t, "t.json:1:35: $.buses[0].owner: invalid owner \"no-such-user-x\": "
			 "no such user");
	topology_unref(t);
}

static void test_guest(void **state)
{
	static const char size_error[] = "g.json:1:44: $.buses[0].guest.size: a guest region's "
					 "size is a power of two from 64K to 256M";
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "{\"buses\": [{\"name\": \"b\", \"guest\": {\"size\": \"3M\"}}]}", size_error },
		{ "{\"buses\": [{\"name\": \"b\", \"guest\": {\"size\": \"512M\"}}]}", size_error },
		{ "{\"buses\": [{\"name\": \"b\", \"guest\": {\"size\": \"4MB\"}}]}", size_error },
		{ "{\"buses\": [{\"name\": \"b\", \"guest\": {\"size\": 4096}}]}", size_error },
		{ "{\"buses\": [{\"name\": \"b\", \"guest\": {\"vectors\": 65}}]}",
		  "g.json:1:47: $.buses[0].guest.vectors: \"vectors\" must be an integer from 2 to 64" },
		{ "{\"buses\": [{\"name\": \"b\", \"guest\": {\"vector\": 4}}]}",
		  "g.json:1:36: $.buses[0].guest.vector: unknown key \"vector\"" },
		{ "{\"buses\": [{\"name\": \"b\", \"guest\": 1}]}",
		  "g.json:1:35: $.buses[0].guest: \"guest\" must be true, false or an object, "
		  "not an integer" },
	};
	struct topology *t = parse("g.json", "{\"buses\": [{\"name\": \"a\", \"guest\": true},\n"
				   " {\"name\": \"b\", \"guest\": {\"size\": \"64K\", \"vectors\": 2}},\n"
				   " {\"name\": \"c\", \"guest\": {\"size\": 268435456}},\n"
				   " {\"name\": \"d\", \"guest\": false}, {\"name\": \"e\"}]}");
	struct topo_bus *b;

	assert_int_equal(topology_finish(t), 0);
	assert_true(topology_valid(t));
	b = topology_get_bus(t, "a");
	assert_true(b->guest);
	assert_int_equal(b->guest_size, 4 << 20);
	assert_int_equal(b->guest_vectors, 16);
	b = topology_get_bus(t, "b");
	assert_true(b->guest);
	assert_int_equal(b->guest_size, 64 << 10);
	assert_int_equal(b->guest_vectors, 2);
	b = topology_get_bus(t, "c");
	assert_int_equal(b->guest_size, 256 << 20);
	assert_false(topology_get_bus(t, "d")->guest);
	assert_false(topology_get_bus(t, "e")->guest);
	topology_unref(t);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = parse("g.json", bad[i].text);
		assert_one_error(t, bad[i].error);
		topology_unref(t);
	}
}

/* "priority": an integer from 0 to 63, 1 when not given. */
static void test_priority(void **state)
{
#define AT "p.json:1:57: $.devices[0].priority: "
	static const struct {
		const char *text, *error;
	} bad[] = {
		{ "{\"devices\": [{\"name\": \"d\", \"class\": \"test\", \"priority\": 64}]}",
		  AT "invalid priority 64: a number from 0 to 63" },
		{ "{\"devices\": [{\"name\": \"d\", \"class\": \"test\", \"priority\": -1}]}",
		  AT "invalid priority -1: a number from 0 to 63" },
		{ "{\"devices\": [{\"name\": \"d\", \"class\": \"test\", \"priority\": \"7\"}]}",
		  AT "\"priority\" must be an integer, not a string" },
		{ "{\"devices\": [{\"name\": \"d\", \"class\": \"test\", \"priority\": 1.5}]}",
		  AT "\"priority\" must be an integer, not a number" },
		{ "{\"buses\": [{\"name\": \"b\", \"priority\": 2}]}",
		  "p.json:1:26: $.buses[0].priority: unknown key \"priority\"" },
	};
#undef AT
	struct topology *t = parse("p.json", "{\"devices\": [\n"
				   " {\"name\": \"a\", \"class\": \"test\", \"priority\": 0},\n"
				   " {\"name\": \"b\", \"class\": \"test\", \"priority\": 63},\n"
				   " {\"name\": \"c\", \"class\": \"test\"}]}");

	assert_int_equal(topology_finish(t), 0);
	assert_true(topology_valid(t));
	assert_int_equal(topology_get_device(t, "a")->priority, 0);
	assert_int_equal(topology_get_device(t, "b")->priority, 63);
	assert_int_equal(topology_get_device(t, "c")->priority, 1);
	topology_unref(t);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = parse("p.json", bad[i].text);
		assert_one_error(t, bad[i].error);
		topology_unref(t);
	}
}

static void test_conflict_across_files(void **state)
{
	struct topology *t = parse("10-a.json", "{\"buses\": [{\"name\": \"b\"}]}");
	static const char second[] = "{\"buses\": [\n {\"name\": \"c\"},\n {\"name\": \"b\"}]}";

	assert_int_equal(topology_add_text(t, "20-b.json", second, strlen(second)), 0);
	assert_one_error(t, "20-b.json:3:2: $.buses[1]: bus \"b\" is already defined at "
			 "10-a.json:1:12");
	assert_int_equal(t->n_buses, 2);
	topology_unref(t);
}

static void test_undefined_device(void **state)
{
	struct topology *t = parse("u.json", "{\"buses\": [{\"name\": \"b\", \"devices\": [\"x\"]}]}");

	assert_int_equal(topology_finish(t), 0);
	assert_one_error(t, "u.json:1:38: $.buses[0].devices[0]: device \"x\" is not defined in "
			 "any topology file");
	topology_unref(t);
}

static void test_duplicate_key_and_not_object(void **state)
{
	struct topology *t = parse("d.json", "{\"buses\": [], \"buses\": []}");

	assert_int_equal(t->n_errors, 1);
	assert_non_null(strstr(t->errors[0], "duplicate object key"));
	topology_unref(t);
	t = parse("d.json", "[1]");
	assert_one_error(t, "d.json:1:1: $: a topology must be an object, not an array");
	topology_unref(t);
}

static void test_paths(void **state)
{
	static const char text[] = "{\"a b\": [0, {\"c\": 1}]}";
	struct jpos p;
	unsigned line, col;
	char *path;

	assert_int_equal(jpos_scan(&p, text, strlen(text), true), 0);
	assert_true(jpos_find(&p, "$[\"a b\"][1].c", false, &line, &col));
	assert_int_equal(col, 19);
	assert_true(jpos_find(&p, "$[\"a b\"][1].c", true, &line, &col));
	assert_int_equal(col, 14);
	jpos_free(&p);
	path = jpos_path_at(text, strlen(text), 18);
	assert_string_equal(path, "$[\"a b\"][1].c");
	free(path);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* topology.d as read: *.json in name order, whole, read errors kept, compared byte for byte. */
static void test_sources(void **state)
{
	char dir[] = "/tmp/test-topology-XXXXXX", path[256];
	struct topo_sources a = { 0 }, b = { 0 };
	struct topology *t;

	assert_non_null(mkdtemp(dir));
	write_text(dir, "20-b.json", "{ \"devices\": [ { \"name\": \"d\", \"class\": \"test\" } ] }");
	write_text(dir, "10-a.json", "{ \"buses\": [ { \"name\": \"a\", \"devices\": [\"d\"] } ] }");
	write_text(dir, ".hidden.json", "not read");
	write_text(dir, "notes.txt", "not read");
	snprintf(path, sizeof(path), "%s/30-dir.json", dir);
	assert_int_equal(mkdir(path, 0755), 0);

	assert_int_equal(topo_sources_read_dir(&a, dir, NULL), 0);
	assert_int_equal(a.n, 3);
	assert_non_null(strstr(a.v[0].path, "/10-a.json"));
	assert_non_null(strstr(a.v[1].path, "/20-b.json"));
	assert_int_equal(a.v[1].len, strlen(a.v[1].text));
	assert_int_equal(a.v[2].err, -EISDIR);

	assert_int_equal(topology_new(class_known, NULL, &t), 0);
	assert_int_equal(topology_add_sources(t, &a), 0);
	assert_int_equal(topology_finish(t), 0);
	assert_int_equal(t->n_buses, 1);
	assert_int_equal(t->n_devices, 1);
	assert_int_equal(t->n_errors, 1);
	assert_non_null(strstr(t->errors[0], "/30-dir.json: cannot read: Is a directory"));
	topology_unref(t);

	/* The same bytes are equal; one byte changed, same size, is not. */
	assert_int_equal(topo_sources_read_dir(&b, dir, NULL), 0);
	assert_true(topo_sources_equal(&a, &b));
	topo_sources_clear(&b);
	write_text(dir, "20-b.json", "{ \"devices\": [ { \"name\": \"e\", \"class\": \"test\" } ] }");
	assert_int_equal(topo_sources_read_dir(&b, dir, NULL), 0);
	assert_false(topo_sources_equal(&a, &b));
	topo_sources_clear(&b);

	/* The file being replaced is left out; a missing directory has no files. */
	assert_int_equal(topo_sources_read_dir(&b, dir, "10-a.json"), 0);
	assert_int_equal(b.n, 2);
	assert_non_null(strstr(b.v[0].path, "/20-b.json"));
	topo_sources_clear(&b);
	assert_int_equal(topo_sources_read_dir(&b, "/nonexistent/topology.d", NULL), 0);
	assert_int_equal(b.n, 0);

	topo_sources_clear(&a);
	rmdir(path);
	for (const char *const *n = (const char *const[]){ "10-a.json", "20-b.json",
			".hidden.json", "notes.txt", NULL }; *n; n++) {
		snprintf(path, sizeof(path), "%s/%s", dir, *n);
		unlink(path);
	}
	rmdir(dir);
}

static void test_domain_xml(void **state)
{
	static const char xml[] =
		"<domain type='qemu'>\n  <name>vm&amp;1</name>\n  <metadata>\n"
		"    <other:x xmlns:other='urn:x'>no</other:x>\n"
		"    <v:topology xmlns:v=\"" VBUS_LIBVIRT_NS "\">{\"buses\": [{\"name\": "
		"\"a&lt;b\"}], <![CDATA[\"devices\": [] ]]>}</v:topology>\n"
		"  </metadata>\n</domain>\n";
	char *name, *topo;

	assert_int_equal(domxml_parse(xml, &name, &topo), 0);
	assert_string_equal(name, "vm&1");
	assert_string_equal(topo, "{\"buses\": [{\"name\": \"a<b\"}], \"devices\": [] }");
	free(name);
	free(topo);
	assert_int_equal(domxml_parse("<domain><name>x</name></domain>", &name, &topo), 0);
	assert_null(topo);
	free(name);
	assert_int_equal(domxml_parse("<nothing/>", &name, &topo), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_shape),
		cmocka_unit_test(test_syntax_error),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_types),
		cmocka_unit_test(test_guest),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_conflict_across_files),
		cmocka_unit_test(test_undefined_device),
		cmocka_unit_test(test_duplicate_key_and_not_object),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_domain_xml),
	};

	return cmocka_run_group_tests_name("vbusd-topology", tests, NULL, NULL);
}
