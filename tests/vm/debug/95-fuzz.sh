# A short fuzz run (debug kernel only): tests/fuzz/vbus-fuzz for two minutes
# from a random seed, printed; a kernel report stops it and fails this file
# (the report and the last operations are in $VBUS_VM_SAVE, which
# vm-run --save copies out). Longer runs: tests/fuzz/run.
source ./lib.bash

expect "vbus-fuzz: two minutes, four threads, no kernel report" \
	bash -c "python3 ./vbus-fuzz --duration 120 --threads 4 --out \"\$VBUS_VM_SAVE\" >&2"
expect "its modules unload" rmmod venet-tap vbus-test vbus
