// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests: vbusd's plan, its all-or-nothing apply and the state store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "apply.h"
#include "plan.h"

static const char topo_text[] =
	"{\"buses\": [{\"name\": \"b1\", \"mode\": \"0660\", \"devices\": [\"d1\", \"d2\"]},\n"
	"            {\"name\": \"b2\", \"devices\": [\"d2\"]}],\n"
	" \"devices\": [{\"name\": \"d1\", \"class\": \"test\", \"attributes\": {\"greeting\": \"hi\"}},\n"
	"             {\"name\": \"d2\", \"class\": \"test\"}]}";

static struct topology *topo(const char *text)
{
	struct topology *t;

	assert_int_equal(topology_new(NULL, NULL, &t), 0);
	assert_int_equal(topology_add_text(t, "t.json", text, strlen(text)), 0);
	assert_int_equal(topology_finish(t), 0);
	assert_true(topology_valid(t));
	return t;
}

/* The plan as one line per action. */
static char *describe(const struct plan *p)
{
	char *all = strdup("");

	for (size_t i = 0; i < p->n; i++) {
		char *line = action_describe(&p->v[i]);
		char *next = strdupf("%s%s\n", all, line);

		free(line);
		free(all);
		all = next;
	}
	return all;
}

static void test_from_nothing(void **state)
{
	struct topology *t = topo(topo_text);
	struct state owned = { 0 };
	struct live *l;
	struct plan *p;
	char *text;

	assert_int_equal(live_new(&l), 0);
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	text = describe(p);
	assert_string_equal(text, "create device d1 class test\n"
				  "create device d2 class test\n"
				  "set device d1 attribute greeting to \"hi\"\n"
				  "create bus b1 owner 0 group 0 mode 0660\n"
				  "create bus b2 owner 0 group 0 mode 0600\n"
				  "link device d1 to bus b1\n"
				  "link device d2 to bus b1\n"
				  "link device d2 to bus b2\n");
	assert_true(strset_has(&p->owned.buses, "b2"));
	assert_int_equal(p->owned.devices.n, 2);
	free(text);
	plan_free(p);
	live_free(l);
	topology_unref(t);
}

/* The live state the plan above makes. */
static struct live *converged(void)
{
	struct live *l;
	struct live_device *d;

	assert_int_equal(live_new(&l), 0);
	d = live_add_device(l, "d1", "test");
	assert_int_equal(live_add_attr(d, "greeting", "hi\n"), 0);
	assert_int_equal(live_add_attr(d, "calls", "0\n"), 0);
	live_add_device(l, "d2", "test");
	live_add_bus(l, "b1", 0, 0, 0660);
	live_add_bus(l, "b2", 0, 0, 0600);
	live_add_link(l, "b1", "d1");
	live_add_link(l, "b1", "d2");
	live_add_link(l, "b2", "d2");
	return l;
}

static void own_all(struct state *s)
{
	strset_add(&s->buses, "b1");
	strset_add(&s->buses, "b2");
	strset_add(&s->devices, "d1");
	strset_add(&s->devices, "d2");
}

static void test_converged_is_empty(void **state)
{
	struct topology *t = topo(topo_text);
	struct state owned = { 0 };
	struct live *l = converged();
	struct plan *p;

	own_all(&owned);
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	assert_int_equal(p->n, 0);
	assert_int_equal(p->n_errors, 0);
	plan_free(p);
	live_free(l);
	state_clear(&owned);
	topology_unref(t);
}

static void test_drift_and_foreign(void **state)
{
	struct topology *t = topo(topo_text);
	struct state owned = { 0 };
	struct live *l = converged();
	struct plan *p;
	char *text;

	own_all(&owned);
	/* Drift: a mode, an attribute, a link; a foreign bus and device are left alone. */
	live_get_bus(l, "b1")->mode = 0666;
	free(live_get_device(l, "d1")->attr_values[0]);
	live_get_device(l, "d1")->attr_values[0] = strdup("hello");
	live_add_bus(l, "admin", 0, 0, 0600);
	live_add_device(l, "theirs", "test");
	live_add_link(l, "b2", "theirs");
	live_add_link(l, "admin", "d1");
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	text = describe(p);
	assert_string_equal(text, "set device d1 attribute greeting to \"hi\" (was \"hello\")\n"
				  "set bus b1 owner 0 group 0 mode 0660 (was 0 0 0666)\n");
	free(text);
	plan_free(p);
	/* A link removed behind vbusd's back comes back. */
	live_free(l);
	l = converged();
	strset_clear(&live_get_device(l, "d2")->buses);
	strset_clear(&live_get_bus(l, "b2")->devices);
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	text = describe(p);
	assert_string_equal(text, "link device d2 to bus b2\n");
	free(text);
	plan_free(p);
	live_free(l);
	state_clear(&owned);
	topology_unref(t);
}

static void test_not_owned_is_a_conflict(void **state)
{
	struct topology *t = topo(topo_text);
	struct state owned = { 0 };
	struct live *l;
	struct plan *p;

	assert_int_equal(live_new(&l), 0);
	live_add_bus(l, "b2", 0, 0, 0600);
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	assert_int_equal(p->n_errors, 1);
	assert_string_equal(p->errors[0], "t.json:2:13: bus \"b2\" exists and was not created by "
			    "vbusd; remove it or rename it in the topology");
	plan_free(p);
	live_free(l);
	topology_unref(t);
}

static void test_removed_declarations(void **state)
{
	struct topology *t = topo("{\"devices\": [{\"name\": \"d2\", \"class\": \"other\"}],"
				  " \"buses\": [{\"name\": \"b1\"}]}");
	struct state owned = { 0 };
	struct live *l = converged();
	struct plan *p;
	char *text;

	own_all(&owned);
	live_add_bus(l, "admin", 0, 0, 0600);	/* not owned, not declared: stays */
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	text = describe(p);
	assert_string_equal(text, "delete bus b2\n"
				  "delete device d1\n"
				  "delete device d2\n"
				  "create device d2 class other\n"
				  "set bus b1 owner 0 group 0 mode 0600 (was 0 0 0660)\n");
	free(text);
	plan_free(p);
	live_free(l);
	state_clear(&owned);
	topology_unref(t);
}

/* Kernel operations that log and fail at call number fail_at. */
struct fake {
	char log[4096];
	int calls, fail_at;
};

static int record(void *ud, const char *fmt, ...)
{
	struct fake *f = ud;
	size_t n = strlen(f->log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->log + n, sizeof(f->log) - n, fmt, ap);
	va_end(ap);
	if (++f->calls == f->fail_at) {
		strcat(f->log, " FAIL");
		n = 1;
	} else {
		n = 0;
	}
	strcat(f->log, "\n");
	return n ? -EIO : 0;
}

static int f_bus_add(void *ud, const char *b) { return record(ud, "bus+ %s", b); }
static int f_bus_del(void *ud, const char *b) { return record(ud, "bus- %s", b); }
static int f_perm(void *ud, const char *b, uid_t o, gid_t g, mode_t m)
{
	return record(ud, "perm %s %04o", b, (unsigned)m);
}
static int f_dev_add(void *ud, const char *d, const char *c) { return record(ud, "dev+ %s", d); }
static int f_dev_del(void *ud, const char *d) { return record(ud, "dev- %s", d); }
static int f_attr(void *ud, const char *d, const char *a, const char *v)
{
	return record(ud, "attr %s %s=%s", d, a, v);
}
static int f_link(void *ud, const char *d, const char *b) { return record(ud, "link %s %s", d, b); }
static int f_unlink(void *ud, const char *d, const char *b)
{
	return record(ud, "unlink %s %s", d, b);
}

static int f_local(void *ud, const char *b, bool on)
{
	return record(ud, "local %s %s", b, on ? "on" : "off");
}

static int f_prio(void *ud, const char *d, unsigned prio)
{
	return record(ud, "prio %s %u", d, prio);
}

static int progress_calls;

static void f_progress(void)
{
	progress_calls++;
}

static const struct kops fake_ops = {
	f_bus_add, f_bus_del, f_perm, f_dev_add, f_dev_del, f_attr, f_link, f_unlink, f_progress,
	f_local, f_prio,
};

static void test_apply_rolls_back(void **state)
{
	struct topology *t = topo(topo_text);
	struct state owned = { 0 };
	struct fake f = { .fail_at = 7 };
	struct live *l;
	struct plan *p;
	char *err = NULL;

	assert_int_equal(live_new(&l), 0);
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	progress_calls = 0;
	assert_int_equal(plan_apply(p, &fake_ops, &f, &err), -EIO);
	/* After each of the 6 steps tried and each of the 5 undone. */
	assert_int_equal(progress_calls, 11);
	assert_string_equal(f.log, "dev+ d1\ndev+ d2\nattr d1 greeting=hi\n"
				   "bus+ b1\nperm b1 0660\nbus+ b2\nlink d1 b1 FAIL\n"
				   "bus- b2\nbus- b1\ndev- d2\ndev- d1\n");
	assert_string_equal(err, "Failed to link device d1 to bus b1: Input/output error; "
			    "the 5 step(s) before it were undone");
	free(err);
	f = (struct fake){ 0 };
	assert_int_equal(plan_apply(p, &fake_ops, &f, NULL), 0);
	assert_int_equal(f.calls, 9);
	plan_free(p);
	live_free(l);
	topology_unref(t);
}

static void test_rollback_restores_deleted(void **state)
{
	struct topology *t = topo("{\"devices\": [{\"name\": \"d9\", \"class\": \"test\"}]}");
	struct state owned = { 0 };
	struct fake f = { .fail_at = 3 };
	struct live *l = converged();
	struct plan *p;

	own_all(&owned);
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	assert_int_equal(plan_apply(p, &fake_ops, &f, NULL), -EIO);
	assert_string_equal(f.log, "bus- b1\nbus- b2\ndev- d1 FAIL\n"
				   "bus+ b2\nperm b2 0600\nlink d2 b2\n"
				   "bus+ b1\nperm b1 0660\nlink d1 b1\nlink d2 b1\n");
	plan_free(p);
	live_free(l);
	state_clear(&owned);
	topology_unref(t);
}

/* "local": the connector goes on after the links, off when the file drops it. */
static void test_local(void **state)
{
	struct topology *t = topo("{\"buses\": [{\"name\": \"b1\", \"local\": true,\n"
				  "  \"devices\": [\"d1\"]}],\n"
				  " \"devices\": [{\"name\": \"d1\", \"class\": \"test\"}]}");
	struct state owned = { 0 };
	struct fake f = { .fail_at = 5 };
	struct live *l;
	struct live_bus *b;
	struct plan *p;
	char *text;

	assert_int_equal(live_new(&l), 0);
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	text = describe(p);
	assert_string_equal(text, "create device d1 class test\n"
				  "create bus b1 owner 0 group 0 mode 0600\n"
				  "link device d1 to bus b1\n"
				  "set bus b1 local on\n");
	free(text);
	assert_int_equal(plan_apply(p, &fake_ops, &f, NULL), 0);
	f = (struct fake){ .fail_at = 4 };
	assert_int_equal(plan_apply(p, &fake_ops, &f, NULL), -EIO);
	assert_string_equal(f.log, "dev+ d1\nbus+ b1\nlink d1 b1\nlocal b1 on FAIL\n"
				   "unlink d1 b1\nbus- b1\ndev- d1\n");
	plan_free(p);
	live_free(l);

	/* Converged with local on: nothing; with it off: set it. */
	own_all(&owned);
	assert_int_equal(live_new(&l), 0);
	live_add_device(l, "d1", "test");
	b = live_add_bus(l, "b1", 0, 0, 0600);
	live_add_link(l, "b1", "d1");
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	text = describe(p);
	assert_string_equal(text, "set bus b1 local on\n");
	free(text);
	plan_free(p);
	b->local = true;
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	assert_int_equal(p->n, 0);
	plan_free(p);
	topology_unref(t);

	/* A file without "local" turns it off. */
	t = topo("{\"buses\": [{\"name\": \"b1\", \"devices\": [\"d1\"]}],\n"
		 " \"devices\": [{\"name\": \"d1\", \"class\": \"test\"}]}");
	assert_int_equal(plan_compute(t, l, &owned, &p), 0);
	text = describe(p);
	assert_string_equal(text, "set bus b1 local off\n");
	free(text);
	plan_free(p);
	live_free(l);
	state_clear(&owned);
	topology_unref(t);
}

/* The plan from @t, @l and @owned, which must read @expected (one line per action). */
static struct plan *planned(struct topology *t, struct live *l, const struct state *owned,
			    const char *expected)
{
	struct plan *p;
	char *text;

	assert_int_equal(plan_compute(t, l, owned, &p), 0);
	text = describe(p);
	assert_string_equal(text, expected);
	free(text);
	return p;
}

/* Apply @p with the call numbered @fail_at failing; the calls must read @log. */
static void apply_failing(const struct plan *p, int fail_at, const char *log)
{
	struct fake f = { .fail_at = fail_at };

	assert_int_equal(plan_apply(p, &fake_ops, &f, NULL), -EIO);
	assert_string_equal(f.log, log);
}

/*
 * "priority": set after the device is made when it is not the default,
 * changed (and put back on failure) when it drifted, and a file without it
 * wants the default.
 */
static void test_priority(void **state)
{
	struct topology *t = topo("{\"devices\": [{\"name\": \"d1\", \"class\": \"test\",\n"
				  "  \"priority\": 5, \"attributes\": {\"greeting\": \"hi\"}},\n"
				  " {\"name\": \"d2\", \"class\": \"test\"}]}");
	struct state owned = { 0 };
	struct live *l;
	struct plan *p;

	assert_int_equal(live_new(&l), 0);
	p = planned(t, l, &owned, "create device d1 class test\n"
				  "create device d2 class test\n"
				  "set device d1 attribute greeting to \"hi\"\n"
				  "set device d1 priority 5\n");
	apply_failing(p, 4, "dev+ d1\ndev+ d2\nattr d1 greeting=hi\nprio d1 5 FAIL\n"
			    "dev- d2\ndev- d1\n");
	plan_free(p);
	live_free(l);

	/* Converged: nothing; drifted: set, with the old value put back on failure. */
	own_all(&owned);
	assert_int_equal(live_new(&l), 0);
	assert_int_equal(live_add_attr(live_add_device(l, "d1", "test"), "greeting", "hi"), 0);
	live_add_device(l, "d2", "test");
	live_get_device(l, "d1")->priority = 5;
	plan_free(planned(t, l, &owned, ""));
	live_get_device(l, "d1")->priority = 0;
	live_get_device(l, "d2")->priority = 9;
	p = planned(t, l, &owned, "set device d1 priority 5 (was 0)\n"
				  "set device d2 priority 1 (was 9)\n");
	apply_failing(p, 2, "prio d1 5\nprio d2 1 FAIL\nprio d1 0\n");
	plan_free(p);
	topology_unref(t);

	/* A device deleted by a failing plan comes back with its priority. */
	t = topo("{\"devices\": [{\"name\": \"d2\", \"class\": \"test\", \"priority\": 9},"
		 " {\"name\": \"d3\", \"class\": \"test\"}]}");
	live_get_device(l, "d1")->priority = 1;
	p = planned(t, l, &owned, "delete device d1\ncreate device d3 class test\n");
	apply_failing(p, 2, "dev- d1\ndev+ d3 FAIL\ndev+ d1\nattr d1 greeting=hi\n");
	plan_free(p);
	live_get_device(l, "d1")->priority = 5;
	p = planned(t, l, &owned, "delete device d1\ncreate device d3 class test\n");
	apply_failing(p, 2, "dev- d1\ndev+ d3 FAIL\ndev+ d1\nprio d1 5\nattr d1 greeting=hi\n");
	plan_free(p);
	live_free(l);
	state_clear(&owned);
	topology_unref(t);
}

static void test_state_store(void **state)
{
	char dir[] = "/tmp/vbusd-state.XXXXXX", path[64];
	struct state s = { 0 }, back;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/state.json", dir);
	assert_int_equal(state_load(path, &back), 0);
	assert_int_equal(back.buses.n, 0);
	own_all(&s);
	assert_int_equal(state_save(path, &s), 0);
	assert_int_equal(state_load(path, &back), 0);
	assert_true(state_equal(&s, &back));
	state_clear(&back);
	assert_int_equal(write_file_atomic(path, "{", 1), 0);
	assert_int_equal(state_load(path, &back), -EBADMSG);
	unlink(path);
	rmdir(dir);
	state_clear(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_nothing),
		cmocka_unit_test(test_converged_is_empty),
		cmocka_unit_test(test_drift_and_foreign),
		cmocka_unit_test(test_not_owned_is_a_conflict),
		cmocka_unit_test(test_removed_declarations),
		cmocka_unit_test(test_apply_rolls_back),
		cmocka_unit_test(test_rollback_restores_deleted),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_priority),
		cmocka_unit_test(test_state_store),
	};

	return cmocka_run_group_tests_name("vbusd-plan", tests, NULL, NULL);
}
