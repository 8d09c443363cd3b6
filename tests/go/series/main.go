// Command series writes a series of real heap profiles of itself, for
// memtop's leak ranking: one function leaks (grows by the same amount every
// step), one holds a steady amount (replaced every step, never more), and
// one grows and drops back like a sawtooth (a buffer cleared every fourth
// step).
//
// Usage: series [-n N] [-steady] OUTDIR
//
// It writes OUTDIR/heap-00.pb.gz ... heap-NN.pb.gz, forcing a GC before
// each so the profile holds the live heap of that moment. With -steady the
// leaking function keeps a constant size too (a series with no leak).
// Every allocation is sampled (MemProfileRate = 1), so the profiles' bytes
// are exact.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
)

// Set in an initializer so it holds before any allocation main makes.
var _ = func() int { runtime.MemProfileRate = 1; return 0 }()

const (
	leakStep     = 64 << 10  // bytes the leak keeps per step
	steadySize   = 256 << 10 // bytes the steady function holds
	sawtoothStep = 128 << 10 // bytes the sawtooth adds per step
	sawtoothLen  = 4         // steps before it drops back
)

var (
	leaked   [][]byte
	steady   []byte
	sawtooth [][]byte
)

//go:noinline
func leakGrow(keep bool) {
	if keep || len(leaked) == 0 {
		leaked = append(leaked, make([]byte, leakStep))
	}
}

//go:noinline
func steadyHold() {
	steady = make([]byte, steadySize)
}

//go:noinline
func sawtoothGrow(step int) {
	if step%sawtoothLen == 0 {
		sawtooth = nil
	}
	sawtooth = append(sawtooth, make([]byte, sawtoothStep))
}

func main() {
	n := flag.Int("n", 12, "number of profiles")
	noLeak := flag.Bool("steady", false, "no leak: every function keeps a constant size")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: series [-n N] [-steady] OUTDIR")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	// The slice of leaked buffers would grow by doubling; give it room so
	// only the buffers themselves are main.leakGrow's growth.
	leaked = make([][]byte, 0, *n+1)
	sawtooth = make([][]byte, 0, sawtoothLen+1)
	for i := 0; i < *n; i++ {
		leakGrow(!*noLeak)
		steadyHold()
		if !*noLeak {
			sawtoothGrow(i)
		}
		runtime.GC()
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("heap-%02d.pb.gz", i)))
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		f.Close()
	}
	runtime.KeepAlive(leaked)
	runtime.KeepAlive(steady)
	runtime.KeepAlive(sawtooth)
}
