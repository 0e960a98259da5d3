// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vbusctl stats: the counters of each client connection, once, as rates in
 * a live view (watch), or in the Prometheus text format (doc/statistics.md).
 */
#define _GNU_SOURCE	/* ppoll */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <vbus/vbus.h>

#include "cmd.h"
#include "objects.h"
#include "print.h"
#include "show.h"

#define WATCH_INTERVAL_DEFAULT	2.0
#define WATCH_INTERVAL_MIN	0.1
#define WATCH_INTERVAL_MAX	3600.0

static int stats_usage(void)
{
	printf("Usage: vbusctl stats [ -w | watch [ INTERVAL ] [ count N ] ] [ -o FORMAT ]\n"
	       "                     [ bus NAME | device NAME ]\n"
	       "       vbusctl stats help\n"
	       "FORMAT := { text | json | prometheus }\n"
	       "INTERVAL := seconds between refreshes, default 2\n");
	return EXIT_OK;
}

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_PROMETHEUS };

struct stats_opts {
	const char *bus, *dev;
	enum format format;
	bool watch;
	double interval;
	unsigned long count;	/* 0: until interrupted */
};

/* Is @bus one of the buses in @buses? */
static bool bus_listed(struct vbus_bus **buses, const char *bus)
{
	for (; *buses; buses++)
		if (strcmp(vbus_bus_get_name(*buses), bus) == 0)
			return true;
	return false;
}

/* Is device @d on bus @bus? */
static bool device_on(const struct vbus_device *d, const char *bus)
{
	for (unsigned int i = 0; i < vbus_device_get_n_links(d); i++)
		if (strcmp(vbus_link_get_bus(vbus_device_get_link(d, i)), bus) == 0)
			return true;
	return false;
}

/* One reading: the connections and the devices, filtered. */
struct sample {
	struct vbus_stats **all;	/* the dump */
	struct vbus_stats **stats;	/* those of it that match, NULL-terminated */
	struct vbus_device **devs;
	struct timespec time;		/* CLOCK_MONOTONIC */
};

static void sample_clear(struct sample *s)
{
	free(s->stats);
	vbus_stats_list_free(s->all);
	vbus_device_list_free(s->devs);
	memset(s, 0, sizeof(*s));
}

/*
 * Read the connections of @o's bus or device (those of the buses the device
 * is on) and the devices on their buses. Prints the error.
 */
static int sample_read(struct ctl *ctl, const struct stats_opts *o, struct sample *ret)
{
	struct vbus_bus **buses = NULL;
	unsigned int n = 0;
	int r;

	memset(ret, 0, sizeof(*ret));
	r = o->dev ? vbus_bus_dump(ctl->vbus, NULL, o->dev, &buses) : 0;
	if (r >= 0)
		r = vbus_stats_dump(ctl->vbus, o->bus, &ret->all);
	if (r >= 0)
		r = vbus_device_dump(ctl->vbus, o->dev, NULL, o->bus, &ret->devs);
	clock_gettime(CLOCK_MONOTONIC, &ret->time);
	while (r >= 0 && ret->all[n])
		n++;
	if (r >= 0) {
		ret->stats = calloc(n + 1, sizeof(*ret->stats));
		r = ret->stats ? 0 : -ENOMEM;
	}
	n = 0;
	for (struct vbus_stats **s = r >= 0 ? ret->all : NULL; s && *s; s++)
		if (!o->dev || bus_listed(buses, vbus_stats_get_bus(*s)))
			ret->stats[n++] = *s;
	vbus_bus_list_free(buses);
	if (r < 0) {
		sample_clear(ret);
		return show_error("statistics", r);
	}
	return EXIT_OK;
}

/*
 * The frames the devices on @bus delivered to the client (@counts
 * VBUS_ATTRIBUTE_FRAMES_IN) or took from it (FRAMES_OUT): the sum of the
 * counters their classes declare as counting them.
 */
static uint64_t frames_sum(struct vbus_device **devs, const char *bus,
			   enum vbus_attribute_counts counts)
{
	uint64_t sum = 0;

	for (; devs && *devs; devs++) {
		if (!device_on(*devs, bus))
			continue;
		for (unsigned int i = 0; i < vbus_device_get_n_attrs(*devs); i++)
			if (vbus_device_get_attr_counts(*devs, i) == counts)
				sum += vbus_device_get_attr_uint(*devs, i);
	}
	return sum;
}

/* How many connections of @stats are on @bus? */
static unsigned int bus_conns(struct vbus_stats **stats, const char *bus)
{
	unsigned int n = 0;

	for (; *stats; stats++)
		n += strcmp(vbus_stats_get_bus(*stats), bus) == 0;
	return n;
}

static const struct vbus_stats *find_conn(struct vbus_stats **stats, const struct vbus_stats *c)
{
	for (; stats && *stats; stats++)
		if (vbus_stats_get_member(*stats) == vbus_stats_get_member(c) &&
		    strcmp(vbus_stats_get_bus(*stats), vbus_stats_get_bus(c)) == 0)
			return *stats;
	return NULL;
}

/* A counter's increase; a counter that went down was reset, and counts from 0. */
static uint64_t delta(uint64_t now, uint64_t then)
{
	return now >= then ? now - then : now;
}

/* One connection's rates over an interval. */
struct rates {
	const struct vbus_stats *conn;
	double counter[_VBUS_COUNTER_MAX];	/* per second */
	double suppressed;	/* device-to-client signals saved: inject - qinject */
	double frames_in, frames_out;	/* to and from the client; < 0: not known */
	double busy;		/* the sort key: signals both ways */
};

/* Seconds from reading @prev to reading @cur. */
static double elapsed(const struct sample *prev, const struct sample *cur)
{
	double secs = (cur->time.tv_sec - prev->time.tv_sec) +
		      (cur->time.tv_nsec - prev->time.tv_nsec) / 1e9;

	return secs > 0 ? secs : 1e-9;
}

static void rates_compute(struct rates *rt, const struct sample *prev, const struct sample *cur,
			  const struct vbus_stats *c)
{
	const struct vbus_stats *old = find_conn(prev->stats, c);
	const char *bus = vbus_stats_get_bus(c);
	double secs = elapsed(prev, cur);

	rt->conn = c;
	/* A connection opened during the interval started from zero. */
	for (enum vbus_counter k = 0; k < _VBUS_COUNTER_MAX; k++)
		rt->counter[k] = delta(vbus_stats_get(c, k), old ? vbus_stats_get(old, k) : 0) /
				 secs;
	rt->suppressed = rt->counter[VBUS_COUNTER_INJECT] - rt->counter[VBUS_COUNTER_QINJECT];
	if (rt->suppressed < 0)
		rt->suppressed = 0;
	/* A bus's frames are one connection's only when it is the bus's only one. */
	rt->frames_in = rt->frames_out = -1;
	if (bus_conns(cur->stats, bus) == 1) {
		rt->frames_in = delta(frames_sum(cur->devs, bus, VBUS_ATTRIBUTE_FRAMES_IN),
				      frames_sum(prev->devs, bus, VBUS_ATTRIBUTE_FRAMES_IN)) / secs;
		rt->frames_out = delta(frames_sum(cur->devs, bus, VBUS_ATTRIBUTE_FRAMES_OUT),
				       frames_sum(prev->devs, bus, VBUS_ATTRIBUTE_FRAMES_OUT)) / secs;
	}
	rt->busy = rt->counter[VBUS_COUNTER_QNOTIFY] + rt->counter[VBUS_COUNTER_INJECT];
}

static int rates_cmp(const void *a, const void *b)
{
	const struct rates *x = a, *y = b;
	int r;

	if (x->busy != y->busy)
		return x->busy < y->busy ? 1 : -1;
	r = strcmp(vbus_stats_get_bus(x->conn), vbus_stats_get_bus(y->conn));
	if (r)
		return r;
	return vbus_stats_get_member(x->conn) < vbus_stats_get_member(y->conn) ? -1 : 1;
}

/* @num / @den, NAN when either is unknown or @den is 0. */
static double ratio(double num, double den)
{
	return num < 0 || den <= 0 ? NAN : num / den;
}

/* The ratios of @rt, after doc/statistics.md. */
static void rates_ratios(const struct rates *rt, double *supp, double *per_kick, double *per_irq)
{
	*supp = ratio(rt->suppressed, rt->counter[VBUS_COUNTER_QINJECT]);
	*per_kick = ratio(rt->frames_out, rt->counter[VBUS_COUNTER_QNOTIFY]);
	*per_irq = ratio(rt->frames_in, rt->counter[VBUS_COUNTER_QINJECT]);
}

static void json_ratio(struct printer *p, const char *key, double v)
{
	if (isnan(v))
		print_null(p, PRINT_JSON, key, NULL);
	else
		print_float(p, PRINT_JSON, key, NULL, v);
}

static void watch_json(struct ctl *ctl, const struct rates *rt, unsigned int n, double secs)
{
	struct printer *p = ctl->out;
	char stamp[64];
	struct timespec now;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &now);
	localtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%FT%T%z", &tm);
	print_open_object(p, NULL);
	print_string(p, PRINT_JSON, "timestamp", NULL, stamp);
	print_float(p, PRINT_JSON, "interval", NULL, secs);
	print_open_array(p, "connections");
	for (unsigned int i = 0; i < n; i++) {
		double supp, per_kick, per_irq;

		print_open_object(p, NULL);
		print_string(p, PRINT_JSON, "bus", NULL, vbus_stats_get_bus(rt[i].conn));
		print_uint(p, PRINT_JSON, "member", NULL, vbus_stats_get_member(rt[i].conn));
		print_uint(p, PRINT_JSON, "pid", NULL, vbus_stats_get_pid(rt[i].conn));
		print_open_object(p, "rates");
		for (enum vbus_counter k = 0; k < _VBUS_COUNTER_MAX; k++)
			print_float(p, PRINT_JSON, vbus_counter_name(k), NULL, rt[i].counter[k]);
		print_float(p, PRINT_JSON, "suppressed", NULL, rt[i].suppressed);
		json_ratio(p, "frames_in", rt[i].frames_in < 0 ? NAN : rt[i].frames_in);
		json_ratio(p, "frames_out", rt[i].frames_out < 0 ? NAN : rt[i].frames_out);
		print_close_object(p);
		rates_ratios(&rt[i], &supp, &per_kick, &per_irq);
		print_open_object(p, "ratios");
		json_ratio(p, "suppressed_per_interrupt", supp);
		json_ratio(p, "frames_per_kick", per_kick);
		json_ratio(p, "frames_per_interrupt", per_irq);
		print_close_object(p);
		print_close_object(p);
	}
	print_close_array(p);
	print_close_object(p);
	print_end(p);
}

/* A rate in at most 8 columns: 0.5, 123456, 45.6M, 1.2G. */
static const char *fmt_rate(char *buf, size_t size, double v)
{
	if (v < 0 || isnan(v))
		snprintf(buf, size, "-");
	else if (v < 1e6)
		snprintf(buf, size, v < 100 && v != (long)v ? "%.1f" : "%.0f", v);
	else if (v < 1e9)
		snprintf(buf, size, "%.1fM", v / 1e6);
	else
		snprintf(buf, size, "%.1fG", v / 1e9);
	return buf;
}

static const char *fmt_ratio(char *buf, size_t size, double v)
{
	if (isnan(v))
		snprintf(buf, size, "-");
	else
		snprintf(buf, size, "%.2f", v);
	return buf;
}

/*
 * The table: on a terminal from the top of a cleared screen and cut to its
 * height, otherwise as plain lines after a time stamp, one block an interval.
 */
static void watch_text(const struct stats_opts *o, const struct rates *rt, unsigned int n,
		       double secs, bool tty)
{
	char stamp[32], b[10][16];
	unsigned int rows = n;
	struct winsize ws;
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%T", &tm);
	if (tty) {
		if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 4 &&
		    rows > ws.ws_row - 4u)
			rows = ws.ws_row - 4u;
		fputs("\033[H\033[2J", stdout);
	}
	printf("vbus connections%s%s, per second over %.1fs at %s%s\n",
	       o->bus || o->dev ? " of " : "", o->bus ? o->bus : o->dev ? o->dev : "", secs,
	       stamp, tty ? " (Ctrl-C quits)" : "");
	printf("%-16s %6s %7s %8s %8s %8s %8s %8s %8s %8s %7s %7s %7s\n", "BUS", "MEMBER", "PID",
	       "KICKS", "IRQS", "SIGNALS", "SUPPR", "CALLS", "FRM_OUT", "FRM_IN", "SUP/IRQ",
	       "FRM/KCK", "FRM/IRQ");
	for (unsigned int i = 0; i < rows; i++) {
		const struct rates *r = &rt[i];
		double supp, per_kick, per_irq;

		rates_ratios(r, &supp, &per_kick, &per_irq);
		printf("%-16s %6" PRIu32 " %7" PRIu32 " %8s %8s %8s %8s %8s %8s %8s %7s %7s %7s\n",
		       vbus_stats_get_bus(r->conn), vbus_stats_get_member(r->conn),
		       vbus_stats_get_pid(r->conn),
		       fmt_rate(b[0], 16, r->counter[VBUS_COUNTER_QNOTIFY]),
		       fmt_rate(b[1], 16, r->counter[VBUS_COUNTER_QINJECT]),
		       fmt_rate(b[2], 16, r->counter[VBUS_COUNTER_INJECT]),
		       fmt_rate(b[3], 16, r->suppressed),
		       fmt_rate(b[4], 16, r->counter[VBUS_COUNTER_BUSCALLS]),
		       fmt_rate(b[5], 16, r->frames_out), fmt_rate(b[6], 16, r->frames_in),
		       fmt_ratio(b[7], 16, supp), fmt_ratio(b[8], 16, per_kick),
		       fmt_ratio(b[9], 16, per_irq));
	}
	if (rows < n)
		printf("... %u more\n", n - rows);
	if (!tty)
		putchar('\n');
	fflush(stdout);
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	stop = 1;
}

static int watch(struct ctl *ctl, const struct stats_opts *o)
{
	struct sample prev, cur;
	bool tty = isatty(STDOUT_FILENO);
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec wait = { .tv_sec = (time_t)o->interval,
				 .tv_nsec = (long)((o->interval - (time_t)o->interval) * 1e9) };
	unsigned long done = 0;
	sigset_t block, unblock;
	int ret;

	/* SIGINT and SIGTERM end the view, only ever in the wait between readings. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &unblock);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	ret = sample_read(ctl, o, &prev);
	while (ret == EXIT_OK && !stop && (!o->count || done < o->count)) {
		struct rates *rt;
		unsigned int n = 0;
		double secs;

		ppoll(NULL, 0, &wait, &unblock);
		if (stop)
			break;
		ret = sample_read(ctl, o, &cur);
		if (ret != EXIT_OK)
			break;
		while (cur.stats[n])
			n++;
		rt = calloc(n ? n : 1, sizeof(*rt));
		if (!rt) {
			sample_clear(&cur);
			ret = syserr("cannot watch", "statistics", -ENOMEM);
			break;
		}
		for (unsigned int i = 0; i < n; i++)
			rates_compute(&rt[i], &prev, &cur, cur.stats[i]);
		qsort(rt, n, sizeof(*rt), rates_cmp);
		secs = elapsed(&prev, &cur);
		if (o->format == FORMAT_JSON)
			watch_json(ctl, rt, n, secs);
		else
			watch_text(o, rt, n, secs, tty);
		free(rt);
		sample_clear(&prev);
		prev = cur;
		done++;
	}
	sample_clear(&prev);
	sigprocmask(SIG_SETMASK, &unblock, NULL);
	return ret;
}

/* A Prometheus label value: backslash, double quote and newline escaped. */
static void prom_label(const char *name, const char *value, bool first)
{
	printf("%s%s=\"", first ? "" : ",", name);
	for (; *value; value++) {
		if (*value == '\\' || *value == '"')
			printf("\\%c", *value);
		else if (*value == '\n')
			fputs("\\n", stdout);
		else
			putchar(*value);
	}
	putchar('"');
}

static const char *const counter_help[_VBUS_COUNTER_MAX] = {
	[VBUS_COUNTER_EVENTS] = "Hot-plug events queued for the client.",
	[VBUS_COUNTER_QNOTIFY] = "Client kicks that reached the device.",
	[VBUS_COUNTER_QINJECT] = "Interrupts (calls) delivered to the client.",
	[VBUS_COUNTER_NOTIFY] = "Client-to-device signals requested.",
	[VBUS_COUNTER_INJECT] = "Device-to-client signals decided, delivered or suppressed.",
	[VBUS_COUNTER_BRIDGECALLS] = "Calls to the connector (VBUS_IOC_LIST, VBUS_IOC_OPEN).",
	[VBUS_COUNTER_BUSCALLS] = "Synchronous device calls (VBUS_IOC_CALL).",
};

static const char *const guest_counter_help[_VBUS_GUEST_COUNTER_MAX] = {
	[VBUS_GUEST_COUNTER_BAD_REQUEST] = "Guest requests refused unread, broken control rings.",
	[VBUS_GUEST_COUNTER_BAD_KICK] = "Guest kick bits beyond a device's queues.",
	[VBUS_GUEST_COUNTER_QUEUE_OVERFLOW] = "Signal queue entries dropped (the guest was slow).",
	[VBUS_GUEST_COUNTER_RESETS] = "Guest resets of the connection, its creation included.",
};

/*
 * The metric of class attribute @i of @d into @buf, with a counter's
 * "_total": vbus_device_NAME_total, or vbus_device_queue_COUNTER_total for a
 * per-queue one (its queue a label). Characters a metric name cannot have
 * become '_'. False for what is not a numeric counter.
 */
static bool attr_metric(const struct vbus_device *d, unsigned int i, char *buf, size_t size)
{
	enum vbus_attribute_kind kind = vbus_device_get_attr_kind(d, i);
	const char *name = vbus_device_get_attr_name(d, i), *us = strchr(name, '_');
	int len;

	if (kind == VBUS_ATTRIBUTE_SETTING || vbus_device_get_attr_type(d, i) != VBUS_ATTRIBUTE_UINT)
		return false;
	if (kind == VBUS_ATTRIBUTE_QUEUE_COUNTER && us)
		len = snprintf(buf, size, "vbus_device_queue_%s_total", us + 1);
	else
		len = snprintf(buf, size, "vbus_device_%s_total", name);
	if (len < 0 || (size_t)len >= size)
		return false;
	for (char *c = buf; *c; c++)
		if (!(*c == '_' || (*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9')))
			*c = '_';
	return true;
}

/* Has an attribute before attribute @i of @devs[@d] the metric @metric? */
static bool metric_seen(struct vbus_device **devs, unsigned int d, unsigned int i,
			const char *metric)
{
	char m[256];

	for (unsigned int e = 0; e <= d; e++)
		for (unsigned int j = 0; j < (e < d ? vbus_device_get_n_attrs(devs[e]) : i); j++)
			if (attr_metric(devs[e], j, m, sizeof(m)) && strcmp(m, metric) == 0)
				return true;
	return false;
}

/* The device counters: each metric once, with its HELP and TYPE, then its samples. */
static void prom_devices(struct vbus_device **devs)
{
	char metric[256], m[256], queue[64];

	for (unsigned int d = 0; devs[d]; d++) {
		for (unsigned int i = 0; i < vbus_device_get_n_attrs(devs[d]); i++) {
			bool queued = vbus_device_get_attr_kind(devs[d], i) ==
				      VBUS_ATTRIBUTE_QUEUE_COUNTER;

			if (!attr_metric(devs[d], i, metric, sizeof(metric)) ||
			    metric_seen(devs, d, i, metric))
				continue;
			printf("# HELP %s Counter of a device's class%s (vbusctl -s%s device show).\n",
			       metric, queued ? ", per queue" : "", queued ? " -s" : "");
			printf("# TYPE %s counter\n", metric);
			for (unsigned int e = d; devs[e]; e++) {
				for (unsigned int j = 0; j < vbus_device_get_n_attrs(devs[e]); j++) {
					const char *name = vbus_device_get_attr_name(devs[e], j);

					if (!attr_metric(devs[e], j, m, sizeof(m)) ||
					    strcmp(m, metric) != 0)
						continue;
					printf("%s{", metric);
					prom_label("device", vbus_device_get_name(devs[e]), true);
					prom_label("class", vbus_device_get_class(devs[e]), false);
					if (queued) {
						snprintf(queue, sizeof(queue), "%.*s",
							 (int)strcspn(name, "_"), name);
						prom_label("queue", queue, false);
					}
					printf("} %" PRIu64 "\n",
					       vbus_device_get_attr_uint(devs[e], j));
				}
			}
		}
	}
}

/*
 * The Prometheus text exposition format (version 0.0.4): the connections'
 * counters labelled by bus and member, an info metric naming each one's
 * pid, a guest connection's own counters, then the devices' counters
 * labelled by device (and queue).
 */
static int prometheus(struct ctl *ctl, const struct stats_opts *o)
{
	struct sample s;
	char metric[64];
	int ret;

	ret = sample_read(ctl, o, &s);
	if (ret != EXIT_OK)
		return ret;
	printf("# HELP vbus_connection_info A client connection (open of /dev/vbus/BUS).\n"
	       "# TYPE vbus_connection_info gauge\n");
	for (struct vbus_stats **c = s.stats; *c; c++) {
		printf("vbus_connection_info{");
		prom_label("bus", vbus_stats_get_bus(*c), true);
		printf(",member=\"%" PRIu32 "\",pid=\"%" PRIu32 "\"} 1\n",
		       vbus_stats_get_member(*c), vbus_stats_get_pid(*c));
	}
	for (enum vbus_counter k = 0; k < _VBUS_COUNTER_MAX; k++) {
		snprintf(metric, sizeof(metric), "vbus_connection_%s_total", vbus_counter_name(k));
		printf("# HELP %s %s\n# TYPE %s counter\n", metric, counter_help[k], metric);
		for (struct vbus_stats **c = s.stats; *c; c++) {
			printf("%s{", metric);
			prom_label("bus", vbus_stats_get_bus(*c), true);
			printf(",member=\"%" PRIu32 "\"} %" PRIu64 "\n", vbus_stats_get_member(*c),
			       vbus_stats_get(*c, k));
		}
	}
	for (enum vbus_guest_counter k = 0; k < _VBUS_GUEST_COUNTER_MAX; k++) {
		snprintf(metric, sizeof(metric), "vbus_guest_%s_total", vbus_guest_counter_name(k));
		printf("# HELP %s %s\n# TYPE %s counter\n", metric, guest_counter_help[k], metric);
		for (struct vbus_stats **c = s.stats; *c; c++) {
			if (!vbus_stats_is_guest(*c))
				continue;
			printf("%s{", metric);
			prom_label("bus", vbus_stats_get_bus(*c), true);
			printf(",member=\"%" PRIu32 "\"} %" PRIu64 "\n", vbus_stats_get_member(*c),
			       vbus_stats_get_guest(*c, k));
		}
	}
	prom_devices(s.devs);
	fflush(stdout);
	sample_clear(&s);
	return EXIT_OK;
}

/* Connections and their counters, once. */
static int show(struct ctl *ctl, const struct stats_opts *o)
{
	struct sample s;
	int ret;

	ret = sample_read(ctl, o, &s);
	if (ret != EXIT_OK)
		return ret;
	print_open_array(ctl->out, NULL);
	for (struct vbus_stats **c = s.stats; *c; c++)
		print_stats(ctl, NULL, *c);
	print_close_array(ctl->out);
	sample_clear(&s);
	return EXIT_OK;
}

enum { KW_BUS, KW_DEVICE, KW_WATCH, KW_COUNT, KW_OUTPUT, KW_HELP };
static const struct cmd stats_keywords[] = {
	[KW_BUS] = { "bus" },
	[KW_DEVICE] = { "device" },
	[KW_WATCH] = { "watch" },
	[KW_COUNT] = { "count" },
	[KW_OUTPUT] = { "output" },
	[KW_HELP] = { "help" },
	{ NULL },
};

static const struct cmd formats[] = {
	[FORMAT_TEXT] = { "text" },
	[FORMAT_JSON] = { "json" },
	[FORMAT_PROMETHEUS] = { "prometheus" },
	{ NULL },
};

/* An interval in seconds: a decimal number in the allowed range. */
static bool parse_interval(const char *arg, double *ret)
{
	char *end;

	errno = 0;
	*ret = strtod(arg, &end);
	return !errno && end != arg && !*end && isfinite(*ret) &&
	       *ret >= WATCH_INTERVAL_MIN && *ret <= WATCH_INTERVAL_MAX;
}

static int parse(struct ctl *ctl, int argc, char **argv, struct stats_opts *o)
{
	const struct cmd *kw, *f;
	unsigned long n;

	o->format = ctl->json ? FORMAT_JSON : FORMAT_TEXT;
	o->interval = WATCH_INTERVAL_DEFAULT;
	for (; argc > 0; argc--, argv++) {
		const char *word = argv[0];

		if (strcmp(word, "-w") == 0)
			word = "watch";
		else if (strcmp(word, "-o") == 0)
			word = "output";
		kw = keyword(stats_keywords, word);
		if (!kw)
			return EXIT_USAGE;
		if (kw - stats_keywords == KW_HELP)
			return stats_usage(), -1;
		if (kw - stats_keywords == KW_WATCH) {
			if (o->watch)
				return duparg(argv[0], argc > 1 ? argv[1] : "");
			o->watch = true;
			/* An optional INTERVAL: a word that starts like a number. */
			if (argc > 1 && ((argv[1][0] >= '0' && argv[1][0] <= '9') ||
					 argv[1][0] == '.')) {
				if (!parse_interval(argv[1], &o->interval))
					return invarg("interval must be 0.1 to 3600 seconds",
						      argv[1]);
				argc--, argv++;
			}
			continue;
		}
		if (argc < 2)
			return missarg(kw->name);
		switch (kw - stats_keywords) {
		case KW_COUNT:
			if (o->count)
				return duparg(kw->name, argv[1]);
			if (parse_ulong(argv[1], 10, 1000000000, &n) < 0 || !n)
				return invarg("count must be a positive number", argv[1]);
			o->count = n;
			break;
		case KW_OUTPUT:
			f = keyword(formats, argv[1]);
			if (!f)
				return EXIT_USAGE;
			o->format = f - formats;
			break;
		default:
			if (o->bus || o->dev)
				return invarg("only one of bus NAME or device NAME", argv[0]);
			if (!vbus_name_valid(argv[1]))
				return invname(kw->name, argv[1]);
			if (kw - stats_keywords == KW_BUS)
				o->bus = argv[1];
			else
				o->dev = argv[1];
			break;
		}
		argc--, argv++;
	}
	if (o->count && !o->watch)
		return invarg("count is for watch", "count");
	if (o->watch && o->format == FORMAT_PROMETHEUS)
		return invarg("watch prints text or json", "prometheus");
	return EXIT_OK;
}

int do_stats(struct ctl *ctl, int argc, char **argv)
{
	struct stats_opts o = { 0 };
	int r;

	r = parse(ctl, argc, argv, &o);
	if (r < 0)
		return EXIT_OK;
	if (r != EXIT_OK)
		return r;
	r = 1;
	if (o.dev)
		r = vbus_device_exists(ctl->vbus, o.dev);
	else if (o.bus)
		r = vbus_bus_exists(ctl->vbus, o.bus);
	if (r == 0) {
		fprintf(stderr, "Error: %s \"%s\" does not exist.\n", o.dev ? "device" : "bus",
			o.dev ? o.dev : o.bus);
		return EXIT_SYSTEM;
	}
	if (r < 0)
		return show_error("statistics", r);
	if (o.format == FORMAT_PROMETHEUS)
		return prometheus(ctl, &o);
	/* -o json is -j; -p still indents. */
	if (o.format == FORMAT_JSON && !ctl->json) {
		struct ctl jctl = *ctl;

		if (printer_new(stdout, true, ctl->pretty, &jctl.out) < 0)
			return syserr("cannot show", "statistics", -ENOMEM);
		jctl.json = true;
		r = o.watch ? watch(&jctl, &o) : show(&jctl, &o);
		print_end(jctl.out);
		printer_free(jctl.out);
		return r;
	}
	return o.watch ? watch(ctl, &o) : show(ctl, &o);
}
