//go:build race

package corpus

// raceEnabled: the race detector slows parsing about tenfold, so time
// bounds in tests are scaled.
const raceEnabled = true
