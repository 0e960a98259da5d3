# Guest side of bench/core-admin: load the modules, run the benchmark, unload.
modprobe vbus-test || exit 1
python3 ./core-admin.py
rc=$?
rmmod vbus-test vbus
exit $rc
