// Command gleak is an HTTP service with three leaks, for memtop's goroutine
// leak tests (tests/goroutine_leaks.py), which start it on 127.0.0.1:0 and
// always stop it:
//
//   - /work?park=N parks N goroutines for ever in a receive from a channel
//     nobody sends on (main.parkForever, created by main.handleWork);
//   - /work?poll=N starts N pollers whose ticker is never stopped and whose
//     done channel is never closed (main.pollLoop waits in select, created
//     by main.startPoller);
//   - every /work keeps a 64 KiB result in a cache that is never pruned
//     (main.rememberResult allocates it).
//
// Four workers wait for jobs all along (main.worker, steady), and
// /work?burst=N runs N goroutines that finish at once.
//
// It prints "listening on ADDR" once it accepts connections. With -dump DIR
// it writes a copy of every profile body it serves to DIR/NAME.SEQ, so the
// test can read the very dumps memtop stored with a parser of its own.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	mu      sync.Mutex
	results [1 << 16][]byte // the cache: no map or slice growth of its own
	seqs    = map[string]int{}
	jobs    = make(chan int)
	// What the leaked goroutines wait on, made once: a channel per
	// goroutine would be a heap leak of main.handleWork and
	// main.startPoller that the heap profile's sampling (MemProfileRate)
	// shows in some runs and not others. The heap leak of main is
	// rememberResult alone, in every run.
	never     = make(chan int)
	neverDone = make(chan struct{})
)

func init() { runtime.MemProfileRate = 4096 }

//go:noinline
func parkForever(ch chan int, ready *sync.WaitGroup) {
	ready.Done()
	<-ch
}

//go:noinline
func pollLoop(t *time.Ticker, done chan struct{}, ready *sync.WaitGroup) {
	ready.Done()
	for {
		select {
		case <-t.C:
		case <-done:
			t.Stop()
			return
		}
	}
}

// startPoller forgets the ticker; its poller waits for a done that never comes.
//
//go:noinline
func startPoller(ready *sync.WaitGroup) {
	t := time.NewTicker(time.Hour)
	go pollLoop(t, neverDone, ready)
}

//go:noinline
func rememberResult(i int) {
	buf := make([]byte, 64<<10)
	for j := range buf {
		buf[j] = byte(i)
	}
	mu.Lock()
	results[i%len(results)] = buf
	mu.Unlock()
}

//go:noinline
func worker() {
	for range jobs {
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

var requests int

func handleWork(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	// The answer waits until the new goroutines are about to block, so a
	// dump taken after it finds them parked.
	var ready sync.WaitGroup
	for i := 0; i < atoi(q.Get("park")); i++ {
		ready.Add(1)
		go parkForever(never, &ready)
	}
	for i := 0; i < atoi(q.Get("poll")); i++ {
		ready.Add(1)
		startPoller(&ready)
	}
	ready.Wait()
	time.Sleep(10 * time.Millisecond)
	var wg sync.WaitGroup
	for i := 0; i < atoi(q.Get("burst")); i++ {
		wg.Add(1)
		go func() { wg.Done() }()
	}
	wg.Wait()
	mu.Lock()
	requests++
	n := requests
	mu.Unlock()
	rememberResult(n)
	fmt.Fprintln(w, "ok", n)
}

// teeWriter copies what a handler writes.
type teeWriter struct {
	http.ResponseWriter
	buf    bytes.Buffer
	status int
}

func (t *teeWriter) WriteHeader(code int) { t.status = code; t.ResponseWriter.WriteHeader(code) }
func (t *teeWriter) Write(p []byte) (int, error) {
	t.buf.Write(p)
	return t.ResponseWriter.Write(p)
}

// dumping wraps h so that each successful body is saved under dir.
func dumping(dir string, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tw := &teeWriter{ResponseWriter: w, status: 200}
		h.ServeHTTP(tw, r)
		if dir == "" || tw.status != 200 {
			return
		}
		name := strings.Trim(r.URL.Path, "/")
		if r.URL.RawQuery != "" {
			name += "?" + r.URL.RawQuery
		}
		name = strings.NewReplacer("/", "_", "?", "_", "&", "_", "=", "-").Replace(name)
		mu.Lock()
		seqs[name]++
		n := seqs[name]
		mu.Unlock()
		os.WriteFile(filepath.Join(dir, fmt.Sprintf("%s.%d", name, n)), tw.buf.Bytes(), 0o644)
	})
}

// warmSudogs parks and wakes n goroutines in a two-case select, so that the
// runtime's per-P caches of wait records (sudogs) are full before the leak
// starts: the leaked goroutines then park on cached ones, and the heap
// profile, sampling every 4 kB, does not show the runtime allocating them
// under main.pollLoop or main.parkForever in some runs and not others.
func warmSudogs(n int) {
	var parked, woke sync.WaitGroup
	a, b := make(chan int), make(chan int)
	for i := 0; i < n; i++ {
		parked.Add(1)
		woke.Add(1)
		go func() {
			parked.Done()
			select {
			case <-a:
			case <-b:
			}
			woke.Done()
		}()
	}
	parked.Wait()
	time.Sleep(10 * time.Millisecond) // each is in its select
	close(a)
	woke.Wait()
}

func main() {
	dump := flag.String("dump", "", "directory for copies of served profiles")
	flag.Parse()
	warmSudogs(512)
	for i := 0; i < 4; i++ {
		go worker()
	}
	mux := http.NewServeMux()
	mux.Handle("/debug/pprof/", dumping(*dump, http.HandlerFunc(pprof.Index)))
	mux.HandleFunc("/work", handleWork)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "gleak:", err)
		os.Exit(1)
	}
	go func() {
		sig := make(chan os.Signal, 1)
		signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
		<-sig
		os.Exit(0)
	}()
	fmt.Printf("listening on %s\n", ln.Addr())
	os.Stdout.Sync()
	http.Serve(ln, mux)
}
