# The userspace connector: /dev/vbus/<bus>, membership, permissions, ioctls,
# events, dead fds, fork and SCM_RIGHTS, and a create/destroy loop.
source ./lib.bash

C=/sys/kernel/config/vbus
S=/sys/vbus
V="python3 ./vbus.py"
expect "modprobe vbus-test" modprobe vbus-test
mkdir $C/instances/b1 $C/instances/b2 $C/devices/e1 $C/devices/e2 $C/devices/e3
for d in e1 e2 e3; do echo test > $C/devices/$d/type; done
ln -s $C/devices/e1 $C/instances/b1/
ln -s $C/devices/e2 $C/instances/b2/
ln -s $C/devices/e3 $C/instances/b2/

expect "/dev/vbus/b1 is a character device" test -c /dev/vbus/b1
expect_eq "b1 lists its one device" "0 test-echo" "$($V list b1)"
expect_eq "b2 lists its two" "0 test-echo,1 test-echo" "$($V list b2 | paste -sd,)"
expect_eq "echo call" "hello vbus" "$($V call b1 0 'hello vbus')"
expect_eq "greeting call" "hello" "$($V call b1 0 '' 1)"
expect_eq "calls counted" 2 "$(cat $S/devices/e1/calls)"
expect_errno "No such file or directory" "a member of b1 never sees b2's id 1" $V open b1 1
expect "ioctl errors" $V ioctl-errors b1
expect "no member left" test -z "$(ls $S/instances/b1/members)"

# Permissions: root:root 0600 by default; granted by owner, group, mode.
id vbususer >/dev/null 2>&1 || useradd -M -U vbususer
uid=$(id -u vbususer); gid=$(id -g vbususer)
as_user() { setpriv --reuid=$uid --regid=$gid --clear-groups "$@"; }
as_other() { setpriv --reuid=$((uid + 1)) --regid=$((gid + 1)) --clear-groups "$@"; }
expect_errno "Permission denied" "unprivileged open denied by default" as_user $V list b1
echo $uid > $C/instances/b1/owner
expect_eq "granted as owner" "0 test-echo" "$(as_user $V list b1)"
echo 0400 > $C/instances/b1/mode
expect_errno "Permission denied" "owner without w denied O_RDWR" as_user $V list b1
echo 0 > $C/instances/b1/owner; echo $gid > $C/instances/b1/group; echo 0660 > $C/instances/b1/mode
expect_eq "granted through the group" "0 test-echo" "$(as_user $V list b1)"
expect_errno "Permission denied" "another user still denied" as_other $V list b1
echo 0606 > $C/instances/b1/mode
expect_errno "Permission denied" "group without rw denied (no fallback to other)" as_user $V list b1
expect_eq "others granted by mode" "0 test-echo" "$(as_other $V list b1)"
echo 0 > $C/instances/b1/group; echo 0600 > $C/instances/b1/mode
expect_errno "Permission denied" "denied again once revoked" as_user $V list b1

# Membership
expect "fork: inherited, ends with the last copy" $V fork b1
expect "SCM_RIGHTS: passed over a unix socket" $V scm b1
sleep 600 < /dev/vbus/b1 &
holder=$!
# The shell opens the bus after the fork: wait for it (seconds on a loaded host).
for i in $(seq 200); do [ -n "$(ls $S/instances/b1/members)" ] && break; sleep 0.1; done
expect_eq "members/<pid>" "$holder" "$(ls $S/instances/b1/members)"
expect_eq "members/<pid> counts memberships" 1 "$(cat $S/instances/b1/members/$holder)"
expect_errno "Directory not empty" "rmdir b1 with a linked device" rmdir $C/instances/b1
rm $C/instances/b1/e1
expect "rmdir b1 with a live member" rmdir $C/instances/b1
kill $holder; wait $holder 2>/dev/null

# Events and dead fds
mkdir $C/instances/b3
expect "events, dead device fd, bus gone" $V events b3 e1
mkdir $C/instances/b3
expect "event queue overflow" $V overflow b3 e1
rmdir $C/instances/b3

# Teardown with fds open: the device fd outlives everything but the module.
expect "a dead device fd pins the class module" $V pin b2 e3
exec 7<>/dev/vbus/b2
rm $C/instances/b2/e2
rmdir $C/instances/b2 $C/devices/e1 $C/devices/e2
expect_errno "is in use" "rmmod vbus with an open bus fd" rmmod vbus
exec 7>&-

expect "1000 create/link/open/call/destroy iterations" $V loop 1000
expect "clients racing with unlink and rmdir (200 rounds)" $V race 200
expect "rmmod vbus-test" rmmod vbus-test
expect "rmmod vbus" rmmod vbus
