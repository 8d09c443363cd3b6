// Command expvar is a small Go service that leaks memory (and goroutines)
// steadily and serves expvar's /debug/vars on 127.0.0.1, for memtop's
// metrics tests (tests/metrics_collect.py). It prints "listening on ADDR"
// once it accepts connections and stops on SIGTERM or SIGINT.
//
// With -oracle FILE, every /debug/vars request appends one JSON line to FILE
// with the request's sequence number and the runtime.MemStats that the
// response carries (read once per request), so a test can check what memtop
// stored against what the service itself reported.
//
// /bad/truncated/debug/vars and /bad/garbage/debug/vars serve JSON cut
// short and bytes that are not JSON.
//
// With -gctrace-run DURATION it does not serve: it leaks for DURATION and
// exits, so that `GODEBUG=gctrace=1 expvar -gctrace-run 3s 2>gctrace.log`
// captures a real gctrace log (tests/go/expvar/generate.sh).
package main

import (
	"encoding/json"
	"expvar"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

var (
	mu       sync.Mutex
	kept     [][]byte
	requests = expvar.NewMap("requests")
	leaked   = expvar.NewInt("leaked_bytes")
	ratio    = expvar.NewFloat("cache_ratio")
	block    = make(chan struct{})
)

// leak keeps a buffer for ever every tick, some garbage besides so that
// the collector runs, and a goroutine blocked for ever every tenth tick.
func leak(every time.Duration, n int) {
	var garbage [][]byte
	for i := 0; ; i++ {
		mu.Lock()
		kept = append(kept, make([]byte, n))
		mu.Unlock()
		leaked.Add(int64(n))
		ratio.Set(float64(i%100) / 100)
		garbage = append(garbage, make([]byte, 4*n))
		if len(garbage) > 8 {
			garbage = nil
		}
		if i%10 == 0 {
			go func() { <-block }()
		}
		time.Sleep(every)
	}
}

// vars writes what expvar.Handler writes, but reads the MemStats itself so
// the oracle line and the response hold the same numbers.
func vars(oracle *os.File) http.HandlerFunc {
	var seq int
	return func(w http.ResponseWriter, r *http.Request) {
		requests.Add("vars", 1)
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		ms, _ := json.Marshal(&m)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		fmt.Fprintf(w, "{\n")
		first := true
		expvar.Do(func(kv expvar.KeyValue) {
			if !first {
				fmt.Fprintf(w, ",\n")
			}
			first = false
			if kv.Key == "memstats" {
				fmt.Fprintf(w, "%q: %s", kv.Key, ms)
			} else {
				fmt.Fprintf(w, "%q: %s", kv.Key, kv.Value)
			}
		})
		fmt.Fprintf(w, "\n}\n")
		if oracle != nil {
			mu.Lock()
			seq++
			line, _ := json.Marshal(map[string]interface{}{
				"seq": seq, "pid": os.Getpid(), "memstats": json.RawMessage(ms),
				"leaked_bytes": leaked.Value(),
			})
			oracle.Write(append(line, '\n'))
			mu.Unlock()
		}
	}
}

func main() {
	oraclePath := flag.String("oracle", "", "file for one JSON line per /debug/vars request")
	every := flag.Duration("every", 10*time.Millisecond, "time between leaks")
	size := flag.Int("size", 64<<10, "bytes leaked each time")
	run := flag.Duration("gctrace-run", 0, "leak for this long, then exit (no server)")
	flag.Parse()

	expvar.Publish("goroutines", expvar.Func(func() interface{} { return runtime.NumGoroutine() }))
	if *run > 0 {
		// A forced collection every second puts "(forced)" lines in the log.
		go leak(*every, *size)
		for end := time.Now().Add(*run); time.Now().Before(end); {
			time.Sleep(time.Second)
			runtime.GC()
		}
		return
	}
	var oracle *os.File
	if *oraclePath != "" {
		f, err := os.OpenFile(*oraclePath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			fmt.Fprintln(os.Stderr, "expvar:", err)
			os.Exit(1)
		}
		oracle = f
	}
	mux := http.NewServeMux()
	mux.Handle("/debug/vars", vars(oracle))
	mux.HandleFunc("/bad/truncated/debug/vars", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"memstats": {"HeapInuse": 12345, "PauseNs": [1, 2, `))
	})
	mux.HandleFunc("/bad/garbage/debug/vars", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("this is not JSON\x00\x01"))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, "expvar:", err)
		os.Exit(1)
	}
	go leak(*every, *size)
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
