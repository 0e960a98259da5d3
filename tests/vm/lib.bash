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
