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
	c.mu.Lock() // verrouillé: ü → ∑
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