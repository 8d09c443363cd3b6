// Command leaky behaves like a Go service with a memory leak and writes real
// runtime profiles of itself, so memtop's readers and aggregations can be
// checked against `go tool pprof` on genuine Go output.
//
// Usage: leaky OUTDIR
//
// It keeps growing a global cache (main.(*leakyCache).add, which calls the
// inlined main.newBuf) and a global slice (main.leak), builds retained
// recursive trees (main.buildTree), churns temporary garbage
// (main.makeGarbage), burns CPU for about a second under a CPU profile while
// goroutines contend on a mutex and block on channels, parks goroutines in
// many states, and then writes every profile kind into OUTDIR. A moment
// later, after more leaking, it writes heap2.pb.gz for -base tests.
package main

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sync"
	"time"
)

// Sample about every 512 bytes so a small program gives many heap samples.
// Set in an initializer so it holds before any allocation main makes.
var _ = func() int { runtime.MemProfileRate = 512; return 0 }()

// leakyCache is the "service cache" that never evicts anything.
type leakyCache struct {
	mu      sync.Mutex
	entries map[string][]byte
}

var cache = &leakyCache{entries: make(map[string][]byte)}

// leaked holds everything main.leak appends; it is never trimmed.
var leaked [][]byte

// trees holds the retained results of main.buildTree.
var trees []*node

// sink keeps garbage reachable just long enough that it is really allocated.
var sink []byte

// newBuf is small enough for the compiler to inline it into its callers, so
// allocation stacks through it carry an inlined frame.
func newBuf(n int) []byte {
	return make([]byte, n)
}

// add stores a fresh buffer under key and never removes it: the leak.
//
//go:noinline
func (c *leakyCache) add(key string, n int) {
	b := newBuf(n)
	b[0] = byte(len(key))
	c.mu.Lock()
	c.entries[key] = b
	c.mu.Unlock()
}

// leak appends n bytes to a global slice that nobody ever trims.
//
//go:noinline
func leak(n int) {
	leaked = append(leaked, make([]byte, n))
}

type node struct {
	left, right *node
	payload     []byte
}

// buildTree allocates a node and its payload at every level of a recursion,
// so one sample's stack holds main.buildTree many times.
//
//go:noinline
func buildTree(depth int) *node {
	n := &node{payload: make([]byte, 32+depth*16)}
	if depth > 0 {
		n.left = buildTree(depth - 1)
		if depth%2 == 0 {
			n.right = buildTree(depth - 2)
		}
	}
	return n
}

// makeGarbage allocates temporary buffers that die at once (allocs, not heap).
//
//go:noinline
func makeGarbage(rounds int) {
	for i := 0; i < rounds; i++ {
		b := make([]byte, 256+i%1024)
		b[len(b)-1] = byte(i)
		sink = b
	}
	sink = nil
}

// leakRound is one request's worth of leaking and churning.
func leakRound(round int) {
	for i := 0; i < 50; i++ {
		cache.add(fmt.Sprintf("key-%d-%d", round, i), 64+i*8)
	}
	leak(1024 + round%7*128)
	if round%10 == 0 {
		trees = append(trees, buildTree(5))
	}
	makeGarbage(200)
}

// spin is CPU-bound work for the CPU profile.
//
//go:noinline
func spin(d time.Duration) uint64 {
	var acc uint64
	sum := sha256.Sum256([]byte("memtop"))
	for end := time.Now().Add(d); time.Now().Before(end); {
		for i := 0; i < 1000; i++ {
			sum = sha256.Sum256(sum[:])
		}
		acc += uint64(sum[0]) + uint64(fib(18))
	}
	return acc
}

// fib is a recursive CPU burner.
func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

var contended sync.Mutex
var counter int

// hammer takes the contended mutex repeatedly and works while holding it, so
// the mutex and block profiles get real contention.
//
//go:noinline
func hammer(stop <-chan struct{}) {
	for {
		select {
		case <-stop:
			return
		default:
		}
		contended.Lock()
		for i := 0; i < 2000; i++ {
			counter += i
		}
		time.Sleep(50 * time.Microsecond)
		contended.Unlock()
	}
}

// pingPong blocks on an unbuffered channel in both directions (block profile).
//
//go:noinline
func pingPong(stop <-chan struct{}) {
	ch := make(chan int)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for v := range ch {
			_ = v
			time.Sleep(100 * time.Microsecond)
		}
	}()
	for i := 0; ; i++ {
		select {
		case <-stop:
			close(ch)
			<-done
			return
		case ch <- i:
		}
	}
}

// parked holds what the parked goroutines wait on, so they stay parked until
// the process exits.
type parked struct {
	recv, send, sel1, sel2 chan int
	mu                     sync.Mutex
	cmu                    sync.Mutex
	cond                   *sync.Cond
	ln                     net.Listener
	conn, server           net.Conn
}

//go:noinline
func waitRecv(ch chan int) { <-ch }

//go:noinline
func waitSend(ch chan int) { ch <- 1 }

//go:noinline
func waitSelect(a, b chan int) {
	select {
	case <-a:
	case <-b:
	}
}

//go:noinline
func waitMutex(mu *sync.Mutex) { mu.Lock(); mu.Unlock() }

//go:noinline
func waitCond(mu *sync.Mutex, c *sync.Cond) {
	mu.Lock()
	for {
		c.Wait()
	}
}

//go:noinline
func waitSleep() { time.Sleep(time.Hour) }

//go:noinline
func waitAccept(ln net.Listener) {
	if c, err := ln.Accept(); err == nil {
		c.Close()
	}
}

//go:noinline
func waitRead(c net.Conn) {
	var b [16]byte
	c.Read(b[:])
}

// parkGoroutines starts goroutines that block in chan receive, chan send,
// select, semacquire (sync.Mutex), sync.Cond.Wait, sleep and IO wait.
func parkGoroutines() (*parked, error) {
	p := &parked{
		recv: make(chan int), send: make(chan int),
		sel1: make(chan int), sel2: make(chan int),
	}
	p.cond = sync.NewCond(&p.cmu)
	p.mu.Lock() // held forever: waitMutex blocks in semacquire
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p.ln = ln
	// A second connection whose server side never writes: its reader sits
	// in IO wait.
	conn, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return nil, err
	}
	p.conn = conn
	// Kept in p (and p in a global) so no finalizer closes it: never written.
	p.server, err = ln.Accept()
	if err != nil {
		return nil, err
	}

	for i := 0; i < 3; i++ {
		go waitRecv(p.recv)
	}
	for i := 0; i < 2; i++ {
		go waitSend(p.send)
	}
	go waitSelect(p.sel1, p.sel2)
	for i := 0; i < 2; i++ {
		go waitMutex(&p.mu)
	}
	go waitCond(&p.cmu, p.cond)
	go waitSleep()
	go waitAccept(ln)
	go waitRead(conn)
	// A labelled goroutine, so the goroutine profile carries pprof labels.
	pprof.Do(context.Background(), pprof.Labels("role", "parked"), func(context.Context) {
		go waitRecv(p.recv)
	})
	go func() { select {} }()
	return p, nil
}

// parkedNow keeps the parked goroutines' channels, locks and sockets reachable.
var parkedNow *parked

// writeProfile writes profile name, in the given debug format, to dir/file.
func writeProfile(dir, name, file string, debug int) error {
	f, err := os.Create(filepath.Join(dir, file))
	if err != nil {
		return err
	}
	if err := pprof.Lookup(name).WriteTo(f, debug); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func run(dir string) error {
	runtime.SetMutexProfileFraction(1)
	runtime.SetBlockProfileRate(1)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}

	round := 0
	for ; round < 100; round++ {
		leakRound(round)
	}

	cpu, err := os.Create(filepath.Join(dir, "cpu.pb.gz"))
	if err != nil {
		return err
	}
	if err := pprof.StartCPUProfile(cpu); err != nil {
		return err
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); hammer(stop) }()
	}
	wg.Add(1)
	go func() { defer wg.Done(); pingPong(stop) }()
	wg.Add(1)
	pprof.Do(context.Background(), pprof.Labels("worker", "spin"), func(context.Context) {
		go func() { defer wg.Done(); spin(time.Second) }()
	})
	deadline := time.Now().Add(time.Second)
	for ; time.Now().Before(deadline); round++ {
		leakRound(round)
	}
	close(stop)
	wg.Wait()
	pprof.StopCPUProfile()
	if err := cpu.Close(); err != nil {
		return err
	}

	if parkedNow, err = parkGoroutines(); err != nil {
		return err
	}
	// Let the parked goroutines reach their blocking calls.
	time.Sleep(200 * time.Millisecond)

	runtime.GC()
	for _, p := range []struct {
		name, file string
		debug      int
	}{
		{"heap", "heap.pb.gz", 0},
		{"heap", "heap.txt", 1},
		{"allocs", "allocs.pb.gz", 0},
		{"allocs", "allocs.txt", 1},
		{"goroutine", "goroutine.pb.gz", 0},
		{"goroutine", "goroutine.txt", 1},
		{"goroutine", "goroutine-dump.txt", 2},
		{"threadcreate", "threadcreate.pb.gz", 0},
		{"threadcreate", "threadcreate.txt", 1},
		{"mutex", "mutex.pb.gz", 0},
		{"mutex", "mutex.txt", 1},
		{"block", "block.pb.gz", 0},
		{"block", "block.txt", 1},
	} {
		if err := writeProfile(dir, p.name, p.file, p.debug); err != nil {
			return err
		}
	}

	// A moment later, after more leaking: the second heap for -base.
	for end := round + 50; round < end; round++ {
		leakRound(round)
	}
	runtime.GC()
	return writeProfile(dir, "heap", "heap2.pb.gz", 0)
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: leaky OUTDIR")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "leaky:", err)
		os.Exit(1)
	}
}
