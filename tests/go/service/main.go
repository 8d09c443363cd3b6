// Command service is a small HTTP service that leaks memory steadily and
// serves net/http/pprof on 127.0.0.1, for memtop's collector tests. It is
// started and stopped by the test (tests/store_collect.py).
//
// It prints "listening on ADDR" once it accepts connections. With -dump DIR
// it also writes a copy of every profile body it serves to
// DIR/NAME.SEQ (NAME from the path and query, SEQ counting from 1 per NAME),
// so a test can compare what memtop stored with what was really served.
//
// Endpoints besides /debug/pprof/ and /debug/vars (expvar): /fail/500,
// /fail/garbage, /fail/slow (answers after -slow), /fail/cut (promises
// more bytes than it sends, then closes), /flaky/heap (HTTP 500 on odd
// requests, the heap profile on even ones), and the hostile ones:
// /fail/stall (headers, then nothing until the client goes; also every path
// under /fail/stall/, such as a pprof root), /fail/endless
// (a body that never ends), /fail/huge (Content-Length 5 GB, then
// nothing), /fail/redirect (302 to /debug/pprof/heap).
//
// With -leakprofile it also serves a "goroutineleak" profile, which Go 1.26
// adds (experimental) and this Go does not have: a count profile of that
// name, as runtime/pprof writes every count profile (sample and period
// type goroutineleak/count; debug=1 starts "goroutineleak profile: total
// N"), holding -leaked goroutines blocked for ever on channels nothing else
// can reach, each recorded with its own stack. The pprof index lists it as
// it lists the runtime's.
package main

import (
	"bytes"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/pprof"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	rpprof "runtime/pprof"
	"strings"
	"sync"
	"syscall"
	"time"
)

var (
	mu    sync.Mutex
	kept  [][]byte
	cache = map[int][]byte{}
	seqs  = map[string]int{}
)

func init() { runtime.MemProfileRate = 4096 }

// grow keeps a buffer for ever: the steady leak.
func grow(n int) {
	mu.Lock()
	kept = append(kept, make([]byte, n))
	mu.Unlock()
}

// remember is the second leak: a map that is never pruned.
func remember(i int) {
	mu.Lock()
	cache[i] = bytes.Repeat([]byte{byte(i)}, 512)
	mu.Unlock()
}

func leak(every time.Duration) {
	for i := 0; ; i++ {
		grow(16 << 10)
		remember(i)
		time.Sleep(every)
	}
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

// leakForever records this goroutine in the leak profile, then blocks on a
// channel nobody else has: what Go 1.26's collector would prove leaked.
//
//go:noinline
func leakForever(prof *rpprof.Profile, done chan<- bool) {
	ch := make(chan int)
	prof.Add(ch, 1)
	done <- true
	<-ch
}

// leakViaWorker leaks the same way one call deeper: a second stack.
//
//go:noinline
func leakViaWorker(prof *rpprof.Profile, done chan<- bool) {
	leakForever(prof, done)
}

// blockUntilGone keeps a response open until the client goes away.
func blockUntilGone(w http.ResponseWriter, r *http.Request) {
	if f, ok := w.(http.Flusher); ok {
		f.Flush()
	}
	<-r.Context().Done()
}

func main() {
	dump := flag.String("dump", "", "directory for copies of served profiles")
	leakProfile := flag.Bool("leakprofile", false, "serve a goroutineleak profile (Go 1.26's)")
	leaked := flag.Int("leaked", 3, "goroutines in the goroutineleak profile")
	every := flag.Duration("every", 20*time.Millisecond, "time between leaks")
	slow := flag.Duration("slow", 5*time.Second, "delay of /fail/slow")
	addr := flag.String("addr", "127.0.0.1:0", "where to listen (a test restarts it on its port)")
	flag.Parse()

	if *leakProfile {
		prof := rpprof.NewProfile("goroutineleak")
		done := make(chan bool)
		for i := 0; i < *leaked; i++ {
			if i%2 == 0 {
				go leakForever(prof, done)
			} else {
				go leakViaWorker(prof, done)
			}
			<-done
		}
	}

	mux := http.NewServeMux()
	mux.Handle("/debug/vars", expvar.Handler())
	mux.Handle("/debug/pprof/", dumping(*dump, http.HandlerFunc(pprof.Index)))
	mux.Handle("/debug/pprof/profile", dumping(*dump, http.HandlerFunc(pprof.Profile)))
	mux.HandleFunc("/fail/500", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "something broke", http.StatusInternalServerError)
	})
	mux.HandleFunc("/fail/garbage", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("this is not a profile\x00\x01\x02 at all\n"))
	})
	mux.HandleFunc("/fail/slow", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(*slow)
		pprof.Handler("heap").ServeHTTP(w, r)
	})
	mux.HandleFunc("/fail/cut", func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer
		rpprof.Lookup("heap").WriteTo(&buf, 0)
		w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
		w.WriteHeader(200)
		w.Write(buf.Bytes()[:buf.Len()/2])
		if f, ok := w.(http.Flusher); ok {
			f.Flush()
		}
		if hj, ok := w.(http.Hijacker); ok {
			c, _, err := hj.Hijack()
			if err == nil {
				c.Close()
			}
		}
	})
	stall := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.WriteHeader(200)
		w.Write([]byte{0x1f})
		blockUntilGone(w, r)
	}
	mux.HandleFunc("/fail/stall", stall)
	mux.HandleFunc("/fail/stall/", stall) // a pprof root whose index stalls
	mux.HandleFunc("/fail/endless", func(w http.ResponseWriter, r *http.Request) {
		chunk := bytes.Repeat([]byte("heap profile: "), 4096)
		for {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
	mux.HandleFunc("/fail/huge", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000000000")
		w.WriteHeader(200)
		w.Write([]byte("heap profile: "))
		blockUntilGone(w, r)
	})
	mux.HandleFunc("/fail/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/debug/pprof/heap", http.StatusFound)
	})
	var flaky int
	mux.Handle("/flaky/heap", dumping(*dump, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		flaky++
		odd := flaky%2 == 1
		mu.Unlock()
		if odd {
			http.Error(w, "flaky: try again", http.StatusInternalServerError)
			return
		}
		pprof.Handler("heap").ServeHTTP(w, r)
	})))

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "service:", err)
		os.Exit(1)
	}
	go leak(*every)
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
