# Load a module that leaks, unload it: vm-run --kernel debug must fail the run.
insmod ./leak.ko
rmmod leak
