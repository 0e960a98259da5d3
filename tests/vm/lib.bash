# Helpers for the guest test scripts (tests/vm/*.sh): source ./lib.bash.
# Each check prints one line; the first failure ends the script non-zero.
set -u

pass() { echo "  ok: $*"; }
fail() { echo "FAIL: $*"; exit 1; }

# expect DESCRIPTION COMMAND...: COMMAND succeeds.
expect() {
	local what=$1; shift
	if "$@" >/dev/null; then pass "$what"; else fail "$what (command: $*)"; fi
}

# expect_errno ERRNO_TEXT DESCRIPTION COMMAND...: COMMAND fails and its
# stderr names the errno (e.g. "Operation not permitted").
expect_errno() {
	local errno=$1 what=$2 err; shift 2
	if err=$("$@" 2>&1); then
		fail "$what: succeeded, expected \"$errno\""
	fi
	case $err in
	*"$errno"*) pass "$what ($errno)" ;;
	*) fail "$what: expected \"$errno\", got: $err" ;;
	esac
}

# expect_eq DESCRIPTION EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: expected \"$2\", got \"$3\""; fi
}

# expect_soon DESCRIPTION COMMAND...: COMMAND succeeds within 20 s (for
# what the kernel does asynchronously, such as hot-plug).
expect_soon() {
	local what=$1 i; shift
	for i in $(seq 200); do
		"$@" >/dev/null 2>&1 && { pass "$what"; return; }
		sleep 0.1
	done
	fail "$what (command: $*)"
}
# debug_kernel: the guest runs the debug kernel (vm-run --kernel debug), where
# KASAN and lockdep make each frame many times slower under TCG: a file that
# counts frames by the million takes a smaller count there (it says which).
debug_kernel() { [[ $(uname -r) == *-vbus-debug ]]; }
# skip REASON: the file does not apply to this boot; status 77, which
# tests/vm-suite.test reports as "ok ... # SKIP".
skip() { echo "SKIP: $*"; exit 77; }

# one_device_bus MODULE TYPE BUS: load MODULE, make bus BUS holding one
# device BUS-d of TYPE (id 0); one_device_bus_del MODULE BUS undoes it.
one_device_bus() {
	local c=/sys/kernel/config/vbus
	modprobe "$1" || fail "loading $1"
	mkdir "$c/instances/$3" "$c/devices/$3-d" || fail "mkdir $3"
	echo "$2" > "$c/devices/$3-d/type" || fail "typing $3-d"
	ln -s "$c/devices/$3-d" "$c/instances/$3/" || fail "linking $3-d"
}
one_device_bus_del() {
	local c=/sys/kernel/config/vbus
	rm "$c/instances/$2/$2-d" && rmdir "$c/instances/$2" "$c/devices/$2-d" || fail "removing $2"
	expect "rmmod $1 vbus" rmmod "$1" vbus
}

# as_vbususer COMMAND...: COMMAND as the unprivileged user vbususer (made if missing).
as_vbususer() {
	id vbususer >/dev/null 2>&1 || useradd -M -U vbususer
	setpriv --reuid="$(id -u vbususer)" --regid="$(id -g vbususer)" --clear-groups "$@"
}
