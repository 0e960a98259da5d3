# The installed userspace: vbusctl, libvbus, man pages, bash completion.
source ./lib.bash

rmmod vbus 2>/dev/null
expect "vbusctl is on PATH" command -v vbusctl
v=$(modinfo -F version vbus)
expect_eq "vbusctl -V without the module" \
	"vbusctl $v, libvbus $v, kernel module not loaded" "$(vbusctl -V)"
modprobe vbus
expect_eq "vbusctl -V with the module" \
	"vbusctl $v, libvbus $v, kernel module $v" "$(vbusctl -V)"
rmmod vbus

err=$(vbusctl frobnicate 2>&1); rc=$?
expect_eq "unknown object: exit 1" 1 "$rc"
expect_eq "unknown object: message" 'Error: object "frobnicate" is unknown, try "vbusctl help".' "$err"
err=$(vbusctl -frob 2>&1); rc=$?
expect_eq "unknown option: exit 1" 1 "$rc"
expect "vbusctl help" bash -c 'vbusctl help | grep -q "^Usage: vbusctl"'
expect "vbusctl h (prefix)" bash -c 'vbusctl h | grep -q "^Usage: vbusctl"'

expect "libvbus is known to the dynamic linker" bash -c 'ldconfig -p | grep -q "libvbus.so.0 "'
expect "man vbusctl" bash -c 'MANPAGER=cat man vbusctl 2>/dev/null | grep -q "vbusctl"'
expect "man vbusd" bash -c 'MANPAGER=cat man 8 vbusd 2>/dev/null | grep -q "vbusd"'
expect "man libvbus" bash -c 'MANPAGER=cat man 3 libvbus 2>/dev/null | grep -q "libvbus"'

# Completion as bash does it for an interactive user.
words=$(bash -c 'source /usr/share/bash-completion/bash_completion
	_completion_loader vbusctl
	COMP_WORDS=(vbusctl ""); COMP_CWORD=1; COMP_LINE="vbusctl "; COMP_POINT=${#COMP_LINE}
	_vbusctl; echo "${COMPREPLY[*]}"')
expect_eq "completion of \"vbusctl \"" \
	"bus device class stats monitor topology help -Version -help -json -pretty -statistics -timestamp -batch -force" "$words"

# Batch mode: stops at the first failure unless -force, names FILE:LINE.
printf 'help\n# comment\n\nbogus\nhelp\n' > batch
out=$(vbusctl -batch batch 2>&1 >/dev/null); rc=$?
expect_eq "batch with a failing line: exit 1" 1 "$rc"
expect_eq "batch stops at the failing line" \
	"$(printf 'Error: object "bogus" is unknown, try "vbusctl help".\nCommand failed batch:4')" "$out"
n=$(vbusctl -batch batch 2>/dev/null | grep -c '^Usage:')
expect_eq "batch ran the lines before the failure only" 1 "$n"
n=$(vbusctl -force -b batch 2>/dev/null | grep -c '^Usage:')
expect_eq "batch -force runs every line" 2 "$n"
out=$(printf 'help "open\n' | vbusctl -b - 2>&1 >/dev/null); rc=$?
expect_eq "batch from stdin, unterminated quote" \
	"$(printf 'Error: unterminated quote or trailing backslash.\nCommand failed -:1')/1" "$out/$rc"
out=$(vbusctl -b missing-file 2>&1); rc=$?
expect_eq "batch file missing: exit 2" 2 "$rc"
expect_eq "batch file missing: message" \
	'Error: cannot open batch file "missing-file": No such file or directory.' "$out"
out=$(vbusctl -b 2>&1); rc=$?
expect_eq "-batch without a file" 'Error: argument for "-b" is missing./1' "$out/$rc"
rm -f batch
