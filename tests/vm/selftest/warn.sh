# Load a module whose init calls WARN_ON(1): vm-run must fail the run.
insmod ./warn_on.ko
rmmod warn_on
