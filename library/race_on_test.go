//go:build race

package library

// raceEnabled: the race detector multiplies time and memory; measurements skip.
const raceEnabled = true
