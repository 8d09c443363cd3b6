// Command service is a small HTTP service that leaks memory steadily and
// serves net/http/pprof on 127.0.0.1, for memtop's collector tests. It is
// started and stopped by the test (tests/store_collect.py).
//
// It prints "listening on ADDR" once it accepts connections. With -dump DIR
// it also writes a copy of every profile body it serves to
// DIR/NAME.SEQ (NAME from the path and query, SEQ counting from 1 per NAME),
// so a test can compare what memtop stored with what was really served.
//
// Endpoints besides /debug/pprof/: /fail/500, /fail/garbage, /fail/slow
// (answers after -slow), /fail/cut (promises more bytes than it sends,
// then closes), /flaky/heap (HTTP 500 on odd requests, the heap profile
// on even ones).
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

func main() {
	dump := flag.String("dump", "", "directory for copies of served profiles")
	every := flag.Duration("every", 20*time.Millisecond, "time between leaks")
	slow := flag.Duration("slow", 5*time.Second, "delay of /fail/slow")
	flag.Parse()

	mux := http.NewServeMux()
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

	ln, err := net.Listen("tcp", "127.0.0.1:0")
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
