// goleak parks goroutines over four rounds and writes a goroutine dump
// (pprof goroutine, debug=2) after each: one group leaks (two more
// goroutines blocked in chan receive every round), one is steady (three
// workers in select), one is a sawtooth (five goroutines in sync.Cond.Wait
// in even rounds, none in odd ones). It also writes what it parked per round, for the tests of
// memtop's goroutine view across stored snapshots.
//
// usage: goleak OUTDIR   (writes OUTDIR/goroutines-N.txt and OUTDIR/expect.txt)
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime/pprof"
	"sync"
	"time"
)

var never = make(chan int)

//go:noinline
func leakyWaiter() { <-never }

//go:noinline
func steadyWorker(stop chan struct{}) {
	select {
	case <-stop:
	case <-never:
	}
}

type gate struct {
	mu   sync.Mutex
	cond *sync.Cond
	open bool
}

//go:noinline
func sawWaiter(g *gate) {
	g.mu.Lock()
	for !g.open {
		g.cond.Wait()
	}
	g.mu.Unlock()
}

// settle waits until the runtime reports n goroutines, so a dump shows
// every goroutine parked where it should be.
func settle(n int) {
	for i := 0; i < 500; i++ {
		if pprof.Lookup("goroutine").Count() == n {
			time.Sleep(20 * time.Millisecond)
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	fmt.Fprintln(os.Stderr, "goleak: goroutines did not settle")
	os.Exit(1)
}

func main() {
	out := os.Args[1]
	expect, err := os.Create(filepath.Join(out, "expect.txt"))
	if err != nil {
		panic(err)
	}
	stop := make(chan struct{})
	for i := 0; i < 3; i++ {
		go steadyWorker(stop)
	}
	leaked := 0
	var g *gate
	for round := 1; round <= 4; round++ {
		for i := 0; i < 2; i++ {
			go leakyWaiter()
		}
		leaked += 2
		saw := 0
		if round%2 == 0 {
			saw = 5
			g = &gate{}
			g.cond = sync.NewCond(&g.mu)
			for i := 0; i < saw; i++ {
				go sawWaiter(g)
			}
		} else if g != nil {
			g.mu.Lock()
			g.open = true
			g.cond.Broadcast()
			g.mu.Unlock()
		}
		settle(1 + 3 + leaked + saw)
		f, err := os.Create(filepath.Join(out, fmt.Sprintf("goroutines-%d.txt", round)))
		if err != nil {
			panic(err)
		}
		pprof.Lookup("goroutine").WriteTo(f, 2)
		f.Close()
		fmt.Fprintf(expect, "%d\tmain.leakyWaiter\tchan receive\t%d\n", round, leaked)
		fmt.Fprintf(expect, "%d\tmain.steadyWorker\tselect\t3\n", round)
		fmt.Fprintf(expect, "%d\tmain.sawWaiter\tsync.Cond.Wait\t%d\n", round, saw)
	}
	close(stop)
	expect.Close()
}
