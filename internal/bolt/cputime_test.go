package bolt

import (
	"syscall"
	"time"
)

// CPUTime is the processor time the process used so far (user and system):
// on a shared machine, a benchmark's wall time says more about the
// neighbours than about the code.
func CPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
